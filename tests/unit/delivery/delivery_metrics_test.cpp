// DeliveryMetrics on a prometheus::Registry: every (method, outcome) series
// and every per-method connection gauge exists at 0 from start-up, a count
// moves exactly its own series, connections go up and down, and counts from
// many threads add up.
#include "delivery/delivery_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <set>
#include <thread>

#include "support/metric_lookup.hpp"

namespace impulse::delivery {
namespace {

using impulse::testing::metric_value;
using routing::DeliveryMethod;

const std::vector<std::string> kMethodNames = {"esmtp", "smtp", "lmtp", "ecstream", "apn", "gcm", "mm7"};
const std::vector<std::string> kOutcomeNames = {"delivered", "transient", "permanent"};

TEST(DeliveryMetrics, EverySeriesExistsAtZeroFromStartUp) {
  prometheus::Registry reg;
  DeliveryMetrics m(reg);
  const auto families = reg.Collect();
  const auto* deliveries = impulse::testing::find_family(families, "impulse_deliveries_total");
  ASSERT_NE(deliveries, nullptr);
  EXPECT_EQ(deliveries->type, prometheus::MetricType::Counter);
  EXPECT_EQ(deliveries->help, "Recipients by delivery method and attempt outcome.");
  EXPECT_EQ(deliveries->metric.size(), kMethodNames.size() * kOutcomeNames.size());
  for (const auto& method : kMethodNames) {
    for (const auto& outcome : kOutcomeNames)
      EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", method}, {"outcome", outcome}}), 0.0)
          << method << " " << outcome;
    EXPECT_EQ(metric_value(families, "impulse_outbound_connections", {{"method", method}}), 0.0) << method;
  }
  const auto* connections = impulse::testing::find_family(families, "impulse_outbound_connections");
  ASSERT_NE(connections, nullptr);
  EXPECT_EQ(connections->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(connections->metric.size(), kMethodNames.size());
}

TEST(DeliveryMetrics, ACountMovesOnlyItsOwnSeries) {
  prometheus::Registry reg;
  DeliveryMetrics m(reg);
  m.count(DeliveryMethod::Lmtp, queue::Disposition::kPermanent, 2);
  m.count(DeliveryMethod::Esmtp,
          queue::AttemptResult{{queue::delivered("250 ok", "127.0.0.1", 10), queue::delivered("250 ok", "127.0.0.1", 10),
                                queue::transient("451 later", queue::Stage::kReadingConfirmation)}});
  const auto families = reg.Collect();
  double total = 0;
  for (const auto& s : impulse::testing::find_family(families, "impulse_deliveries_total")->metric)
    total += s.counter.value;
  EXPECT_EQ(total, 5);
  EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", "lmtp"}, {"outcome", "permanent"}}), 2.0);
  EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", "esmtp"}, {"outcome", "delivered"}}), 2.0);
  EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", "esmtp"}, {"outcome", "transient"}}), 1.0);
  EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", "smtp"}, {"outcome", "delivered"}}), 0.0);
}

TEST(DeliveryMetrics, ConnectionsGoUpAndDownPerMethod) {
  prometheus::Registry reg;
  DeliveryMetrics m(reg);
  m.connection_opened(DeliveryMethod::Apn);
  m.connection_opened(DeliveryMethod::Apn);
  m.connection_opened(DeliveryMethod::Mm7);
  m.connection_closed(DeliveryMethod::Apn);
  const auto families = reg.Collect();
  EXPECT_EQ(metric_value(families, "impulse_outbound_connections", {{"method", "apn"}}), 1.0);
  EXPECT_EQ(metric_value(families, "impulse_outbound_connections", {{"method", "mm7"}}), 1.0);
  EXPECT_EQ(metric_value(families, "impulse_outbound_connections", {{"method", "gcm"}}), 0.0);
}

TEST(DeliveryMetrics, CountsFromManyThreadsAddUp) {
  prometheus::Registry reg;
  DeliveryMetrics m(reg);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        m.count(DeliveryMethod::Smtp, queue::Disposition::kDelivered);
        m.connection_opened(DeliveryMethod::Smtp);
        m.connection_closed(DeliveryMethod::Smtp);
      }
    });
  for (auto& t : threads) t.join();
  const auto families = reg.Collect();
  EXPECT_EQ(metric_value(families, "impulse_deliveries_total", {{"method", "smtp"}, {"outcome", "delivered"}}), 40000.0);
  EXPECT_EQ(metric_value(families, "impulse_outbound_connections", {{"method", "smtp"}}), 0.0);
}

}  // namespace
}  // namespace impulse::delivery
