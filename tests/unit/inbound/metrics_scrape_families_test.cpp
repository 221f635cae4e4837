// The families read at scrape time (admin_metric_families,
// process_metric_families) as prometheus-cpp MetricFamily values: names,
// types, labels and values from a summary and the largest queues; no
// per-domain family without queues; a process family only for a figure
// that was read; and every HELP
// text of ours (these and the registry's) is one line without a backslash,
// because prometheus-cpp 1.0.1's TextSerializer writes HELP unescaped.
#include "inbound/http/metrics_scrape_families.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "../../../apps/impulsed/daemon_metrics.hpp"
#include "support/metric_lookup.hpp"

namespace impulse::inbound::http {
namespace {

using impulse::testing::find_family;
using impulse::testing::metric_value;

admin::QueueLine queue_line(std::string domain, std::uint64_t active, std::uint64_t delayed) {
  admin::QueueLine q;
  q.binding = "default";
  q.domain = std::move(domain);
  q.active = active;
  q.delayed = delayed;
  return q;
}

TEST(MetricsScrapeFamilies, SummaryQueuesAndBuild) {
  admin::Summary s;
  s.received = 7;
  s.active = 2;
  s.delayed = 5;
  s.inbound_concurrency = 1;
  s.uptime = std::chrono::seconds(90);
  s.spool_memtable_bytes = 3 << 20;
  s.spool_block_cache_bytes = 1 << 20;
  const auto f = admin_metric_families(s, {queue_line("slow.example", 1, 4), queue_line("b.example", 0, 1)}, "0.9.0");
  ASSERT_NE(find_family(f, "impulse_messages_received_total"), nullptr);
  EXPECT_EQ(find_family(f, "impulse_messages_received_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(metric_value(f, "impulse_messages_received_total"), 7.0);
  EXPECT_EQ(metric_value(f, "impulse_queue_messages", {{"queue", "active"}}), 2.0);
  EXPECT_EQ(metric_value(f, "impulse_queue_messages", {{"queue", "delayed"}}), 5.0);
  EXPECT_EQ(metric_value(f, "impulse_inbound_connections"), 1.0);
  EXPECT_EQ(metric_value(f, "impulse_uptime_seconds"), 90.0);
  EXPECT_EQ(metric_value(f, "impulse_build_info", {{"version", "0.9.0"}}), 1.0);
  EXPECT_EQ(metric_value(f, "impulse_spool_memory_bytes", {{"part", "memtables"}}), 3.0 * (1 << 20));
  EXPECT_EQ(metric_value(f, "impulse_spool_memory_bytes", {{"part", "block_cache"}}), 1.0 * (1 << 20));
  const auto* per_domain = find_family(f, "impulse_domain_queue_messages");
  ASSERT_NE(per_domain, nullptr);
  EXPECT_EQ(per_domain->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(per_domain->metric.size(), 4u);  // two queues x {active, delayed}
  EXPECT_EQ(metric_value(f, "impulse_domain_queue_messages",
                         {{"binding", "default"}, {"domain", "slow.example"}, {"queue", "delayed"}}),
            4.0);
  EXPECT_EQ(metric_value(f, "impulse_domain_queue_messages",
                         {{"binding", "default"}, {"domain", "b.example"}, {"queue", "active"}}),
            0.0);
}

TEST(MetricsScrapeFamilies, SerializedAsTheTextFormat) {
  admin::Summary s;
  s.received = 7;
  const std::string text =
      prometheus::TextSerializer().Serialize(admin_metric_families(s, {queue_line("we\"ird", 3, 0)}, "1.0"));
  EXPECT_NE(text.find("# TYPE impulse_messages_received_total counter\nimpulse_messages_received_total 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("impulse_domain_queue_messages{binding=\"default\",domain=\"we\\\"ird\",queue=\"active\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(MetricsScrapeFamilies, ProcessFiguresOneGaugeEachAndNoneForWhatCouldNotBeRead) {
  ProcessFigures figures;
  figures.resident_bytes = 50u << 20;
  figures.open_fds = 57;
  const auto f = process_metric_families(figures);
  EXPECT_EQ(f.size(), 2u);
  ASSERT_NE(find_family(f, "process_resident_memory_bytes"), nullptr);
  EXPECT_EQ(find_family(f, "process_resident_memory_bytes")->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(metric_value(f, "process_resident_memory_bytes"), 50.0 * (1 << 20));
  EXPECT_EQ(metric_value(f, "process_open_fds"), 57.0);
  EXPECT_EQ(find_family(f, "process_virtual_memory_bytes"), nullptr);
  EXPECT_EQ(find_family(f, "process_max_fds"), nullptr);
}

TEST(MetricsScrapeFamilies, NoQueuesNoPerDomainFamily) {
  const auto f = admin_metric_families({}, {}, "1");
  EXPECT_EQ(find_family(f, "impulse_domain_queue_messages"), nullptr);
  EXPECT_NE(find_family(f, "impulse_build_info"), nullptr);
}

TEST(MetricsScrapeFamilies, EveryHelpOfOursIsOneUnescapedLine) {
  daemon::DaemonMetrics wired;
  auto families = wired.registry.Collect();
  auto scrape_time = admin_metric_families({}, {queue_line("x.example", 1, 0)}, "1");
  families.insert(families.end(), scrape_time.begin(), scrape_time.end());
  EXPECT_EQ(families.size(), 10u);
  const auto process = process_metric_families(ProcessFigures{1, 2, 3, 4});
  EXPECT_EQ(process.size(), 4u);
  families.insert(families.end(), process.begin(), process.end());
  for (const auto& f : families) {
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_EQ(f.help.find_first_of("\n\\"), std::string::npos) << f.name;
    EXPECT_TRUE(f.name.starts_with("impulse_") || f.name.starts_with("process_")) << f.name;
  }
}

}  // namespace
}  // namespace impulse::inbound::http
