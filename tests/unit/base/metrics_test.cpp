// metrics::Registry: series registered once and found again, bounded label
// sets, type and name checks, histogram buckets (le semantics, cumulative
// counts, sum), and updates from many threads adding up.
#include "base/metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace impulse::metrics {
namespace {

TEST(Metrics, CounterRegisteredTwiceIsTheSameSeries) {
  Registry reg;
  Counter& a = reg.counter("x_total", "help", {{"m", "smtp"}});
  Counter& b = reg.counter("x_total", "help", {{"m", "smtp"}});
  Counter& c = reg.counter("x_total", "help", {{"m", "lmtp"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc();
  b.inc(4);
  auto snap = reg.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].name, "x_total");
  EXPECT_EQ(snap[0].type, Type::kCounter);
  ASSERT_EQ(snap[0].samples.size(), 2u);
  EXPECT_EQ(snap[0].samples[0].value, 5);
  EXPECT_EQ(snap[0].samples[1].value, 0);
  EXPECT_EQ(snap[0].samples[1].labels, (Labels{{"m", "lmtp"}}));
}

TEST(Metrics, GaugeGoesUpAndDown) {
  Registry reg;
  Gauge& g = reg.gauge("open", "help");
  g.add(3);
  g.add(-1);
  EXPECT_EQ(g.value(), 2);
  g.set(-7);
  EXPECT_EQ(reg.snapshot()[0].samples[0].value, -7);
}

TEST(Metrics, FamiliesKeepRegistrationOrder) {
  Registry reg;
  reg.gauge("b", "h");
  reg.counter("a_total", "h");
  reg.gauge("b", "h", {{"k", "v"}});
  auto snap = reg.snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].name, "b");
  EXPECT_EQ(snap[0].samples.size(), 2u);
  EXPECT_EQ(snap[1].name, "a_total");
}

TEST(Metrics, BadNamesTypesAndTooManySeriesAreRefused) {
  Registry reg;
  EXPECT_THROW(reg.counter("9bad", "h"), std::logic_error);
  EXPECT_THROW(reg.counter("bad-name", "h"), std::logic_error);
  EXPECT_THROW(reg.counter("ok_total", "h", {{"__reserved", "v"}}), std::logic_error);
  EXPECT_THROW(reg.counter("ok_total", "h", {{"a:b", "v"}}), std::logic_error);
  EXPECT_THROW(reg.counter("ok_total", "h", {{"a", "1"}, {"a", "2"}}), std::logic_error);
  EXPECT_THROW(reg.histogram("h_seconds", "h", {1, 2}, {{"le", "1"}}), std::logic_error);
  reg.counter("ok_total", "h");
  EXPECT_THROW(reg.gauge("ok_total", "h"), std::logic_error);
  for (std::size_t i = 0; i < kMaxSeriesPerFamily; ++i) reg.gauge("many", "h", {{"i", std::to_string(i)}});
  EXPECT_THROW(reg.gauge("many", "h", {{"i", "one more"}}), std::logic_error);
  EXPECT_NO_THROW(reg.gauge("many", "h", {{"i", "0"}}));  // an existing series is still found
}

TEST(Metrics, NameRules) {
  EXPECT_TRUE(valid_metric_name("impulse:rate_5m"));
  EXPECT_TRUE(valid_metric_name("_x"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("a b"));
  EXPECT_TRUE(valid_label_name("method"));
  EXPECT_FALSE(valid_label_name("1x"));
  EXPECT_FALSE(valid_label_name("__name__"));
}

TEST(Metrics, HistogramBucketsAreUpperBoundsInclusiveAndCumulative) {
  Histogram h({0.1, 1, 10});
  h.observe(0.05);
  h.observe(0.1);   // le="0.1" includes the bound itself
  h.observe(0.5);
  h.observe(10);
  h.observe(11);    // only +Inf
  auto s = h.snapshot();
  EXPECT_EQ(s.bounds, (std::vector<double>{0.1, 1, 10}));
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(s.count(), 5u);
  EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 10 + 11);
}

TEST(Metrics, HistogramBoundsMustAscend) {
  EXPECT_THROW(Histogram({1, 1}), std::logic_error);
  EXPECT_THROW(Histogram({2, 1}), std::logic_error);
  EXPECT_THROW(Histogram({1, std::numeric_limits<double>::infinity()}), std::logic_error);
  Registry reg;
  reg.histogram("lat_seconds", "h", {1, 2});
  EXPECT_THROW(reg.histogram("lat_seconds", "h", {1, 3}, {{"k", "v"}}), std::logic_error);
  EXPECT_THROW(reg.histogram("other_seconds", "h", {3, 1}), std::logic_error);
  EXPECT_EQ(reg.snapshot().size(), 1u);  // the refused family was not added
}

TEST(Metrics, LatencyBucketsAscend) {
  EXPECT_NO_THROW(Histogram{latency_buckets()});
  EXPECT_GE(latency_buckets().size(), 10u);
}

TEST(Metrics, UpdatesFromManyThreadsAddUp) {
  Registry reg;
  Counter& c = reg.counter("n_total", "h");
  Histogram& h = reg.histogram("d_seconds", "h", {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(i % 2 ? 1.0 : 0.25);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  auto s = h.snapshot();
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{20000, 40000}));
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 1.0 + 20000 * 0.25);
}

}  // namespace
}  // namespace impulse::metrics
