// The Prometheus text exposition of metrics families: HELP/TYPE lines,
// label and help escaping, histogram buckets up to +Inf with _sum and
// _count, special values, families merged and empty ones left out; and the
// scrape-time families of metrics_routes (summary, largest queues, build).
#include "inbound/http/metrics_text.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "inbound/http/metrics_routes.hpp"

namespace impulse::inbound::http {
namespace {

using metrics::FamilySnapshot;
using metrics::Sample;
using metrics::Type;

Sample value(metrics::Labels l, double v) { return Sample{std::move(l), v, std::nullopt}; }

TEST(MetricsText, CounterAndGaugeWithLabels) {
  std::vector<FamilySnapshot> f{
      {"impulse_deliveries_total", "Recipients.", Type::kCounter,
       {value({{"method", "smtp"}, {"outcome", "delivered"}}, 3), value({{"method", "smtp"}, {"outcome", "permanent"}}, 0)}},
      {"impulse_uptime_seconds", "Seconds.", Type::kGauge, {value({}, 42)}}};
  EXPECT_EQ(metrics_text(f),
            "# HELP impulse_deliveries_total Recipients.\n"
            "# TYPE impulse_deliveries_total counter\n"
            "impulse_deliveries_total{method=\"smtp\",outcome=\"delivered\"} 3\n"
            "impulse_deliveries_total{method=\"smtp\",outcome=\"permanent\"} 0\n"
            "# HELP impulse_uptime_seconds Seconds.\n"
            "# TYPE impulse_uptime_seconds gauge\n"
            "impulse_uptime_seconds 42\n");
}

TEST(MetricsText, EscapesHelpAndLabelValues) {
  EXPECT_EQ(escape_help("a\\b\nc\"d"), "a\\\\b\\nc\"d");
  EXPECT_EQ(escape_label_value("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
  std::vector<FamilySnapshot> f{{"q", "line one\nline two", Type::kGauge, {value({{"domain", "we\"ird\\"}}, 1)}}};
  EXPECT_EQ(metrics_text(f),
            "# HELP q line one\\nline two\n"
            "# TYPE q gauge\n"
            "q{domain=\"we\\\"ird\\\\\"} 1\n");
}

TEST(MetricsText, SpecialAndFractionalValues) {
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(1e21), "1e+21");
  EXPECT_EQ(format_sample_value(-3), "-3");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsText, HistogramBucketsSumAndCount) {
  metrics::Histogram h({0.005, 0.5, 2});
  h.observe(0.001);
  h.observe(0.25);
  h.observe(0.25);
  h.observe(3);
  std::vector<FamilySnapshot> f{{"impulse_spool_commit_seconds", "Synced writes.", Type::kHistogram,
                                 {Sample{{{"store", "rocksdb"}}, 0, h.snapshot()}}}};
  EXPECT_EQ(metrics_text(f),
            "# HELP impulse_spool_commit_seconds Synced writes.\n"
            "# TYPE impulse_spool_commit_seconds histogram\n"
            "impulse_spool_commit_seconds_bucket{store=\"rocksdb\",le=\"0.005\"} 1\n"
            "impulse_spool_commit_seconds_bucket{store=\"rocksdb\",le=\"0.5\"} 3\n"
            "impulse_spool_commit_seconds_bucket{store=\"rocksdb\",le=\"2\"} 3\n"
            "impulse_spool_commit_seconds_bucket{store=\"rocksdb\",le=\"+Inf\"} 4\n"
            "impulse_spool_commit_seconds_sum{store=\"rocksdb\"} 3.501\n"
            "impulse_spool_commit_seconds_count{store=\"rocksdb\"} 4\n");
}

TEST(MetricsText, UnlabelledHistogramGetsOnlyLe) {
  metrics::Histogram h({1});
  std::vector<FamilySnapshot> f{{"d_seconds", "h", Type::kHistogram, {Sample{{}, 0, h.snapshot()}}}};
  const std::string text = metrics_text(f);
  EXPECT_NE(text.find("d_seconds_bucket{le=\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_sum 0\nd_seconds_count 0\n"), std::string::npos) << text;
}

TEST(MetricsText, SameNameIsOneFamilyAndEmptyFamiliesAreLeftOut) {
  std::vector<FamilySnapshot> f{{"a", "first", Type::kGauge, {value({{"k", "1"}}, 1)}},
                                {"empty", "nothing", Type::kGauge, {}},
                                {"b", "bee", Type::kGauge, {value({}, 2)}},
                                {"a", "second", Type::kGauge, {value({{"k", "2"}}, 3)}}};
  EXPECT_EQ(metrics_text(f),
            "# HELP a first\n# TYPE a gauge\na{k=\"1\"} 1\na{k=\"2\"} 3\n"
            "# HELP b bee\n# TYPE b gauge\nb 2\n");
}

TEST(MetricsText, RegistrySnapshotRoundTrip) {
  metrics::Registry reg;
  reg.counter("impulse_deliveries_total", "Recipients.", {{"method", "lmtp"}, {"outcome", "transient"}}).inc(2);
  reg.gauge("impulse_outbound_connections", "Open.", {{"method", "lmtp"}}).add(1);
  const std::string text = metrics_text(reg.snapshot());
  EXPECT_NE(text.find("impulse_deliveries_total{method=\"lmtp\",outcome=\"transient\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("impulse_outbound_connections{method=\"lmtp\"} 1\n"), std::string::npos);
}

TEST(AdminMetricFamilies, SummaryQueuesAndBuild) {
  admin::Summary s;
  s.received = 7;
  s.active = 2;
  s.delayed = 5;
  s.inbound_concurrency = 1;
  s.uptime = std::chrono::seconds(90);
  admin::QueueLine q;
  q.binding = "default";
  q.domain = "slow.example";
  q.active = 1;
  q.delayed = 4;
  const std::string text = metrics_text(admin_metric_families(s, {q}, "0.9.0"));
  EXPECT_NE(text.find("# TYPE impulse_messages_received_total counter\nimpulse_messages_received_total 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("impulse_queue_messages{queue=\"active\"} 2\nimpulse_queue_messages{queue=\"delayed\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("impulse_inbound_connections 1\n"), std::string::npos);
  EXPECT_NE(text.find("impulse_uptime_seconds 90\n"), std::string::npos);
  EXPECT_NE(text.find("impulse_build_info{version=\"0.9.0\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("impulse_domain_queue_messages{binding=\"default\",domain=\"slow.example\",queue=\"delayed\"} 4\n"),
            std::string::npos);
}

TEST(AdminMetricFamilies, NoQueuesNoPerDomainFamily) {
  const std::string text = metrics_text(admin_metric_families({}, {}, "1"));
  EXPECT_EQ(text.find("impulse_domain_queue_messages"), std::string::npos) << text;
}

}  // namespace
}  // namespace impulse::inbound::http
