// impulse_spool_commit_seconds: its buckets, where observations land, and
// RocksDbStore observing one sample per synced batch write through
// RocksDbStoreOptions::commit_seconds.
#include "spool/commit_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "spool/rocksdb_store.hpp"
#include "support/metric_lookup.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

// The one series of impulse_spool_commit_seconds as collected now.
prometheus::ClientMetric::Histogram commit_histogram(const prometheus::Registry& reg) {
  const auto families = reg.Collect();
  const auto* f = ::impulse::testing::find_family(families, "impulse_spool_commit_seconds");
  if (!f) {
    ADD_FAILURE() << "no impulse_spool_commit_seconds";
    return {};
  }
  EXPECT_EQ(f->type, prometheus::MetricType::Histogram);
  EXPECT_EQ(f->metric.size(), 1u);
  EXPECT_TRUE(f->metric.at(0).label.empty());
  return f->metric.at(0).histogram;
}

TEST(CommitMetrics, BucketsAscendFrom100MicrosecondsTo10Seconds) {
  const auto b = commit_seconds_buckets();
  ASSERT_GE(b.size(), 10u);
  EXPECT_DOUBLE_EQ(b.front(), 0.0001);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]) << i;
}

TEST(CommitMetrics, ObservationsLandInInclusiveCumulativeBuckets) {
  prometheus::Registry reg;
  prometheus::Histogram& h = add_commit_seconds(reg);
  h.Observe(0.00005);
  h.Observe(0.001);  // le="0.001" includes the bound itself
  h.Observe(0.3);
  h.Observe(11);     // above every bound: +Inf only
  const auto got = commit_histogram(reg);
  EXPECT_EQ(got.sample_count, 4u);
  EXPECT_DOUBLE_EQ(got.sample_sum, 0.00005 + 0.001 + 0.3 + 11);
  ASSERT_EQ(got.bucket.size(), commit_seconds_buckets().size() + 1);
  auto count_le = [&](double bound) {
    for (const auto& b : got.bucket)
      if (b.upper_bound == bound) return b.cumulative_count;
    ADD_FAILURE() << "no bucket " << bound;
    return std::uint64_t{0};
  };
  EXPECT_EQ(count_le(0.0001), 1u);
  EXPECT_EQ(count_le(0.001), 2u);
  EXPECT_EQ(count_le(0.25), 2u);
  EXPECT_EQ(count_le(0.5), 3u);
  EXPECT_EQ(count_le(10), 3u);
  EXPECT_EQ(got.bucket.back().upper_bound, std::numeric_limits<double>::infinity());
  EXPECT_EQ(got.bucket.back().cumulative_count, 4u);
}

TEST(CommitMetrics, RocksDbStoreObservesEachSyncedWrite) {
  prometheus::Registry reg;
  prometheus::Histogram& h = add_commit_seconds(reg);
  testing::TempDir dir;
  const SystemClock clock;
  auto opened = RocksDbStore::open(RocksDbStoreOptions{.path = dir.sub("spool"), .commit_seconds = &h}, clock);
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  EXPECT_EQ(commit_histogram(reg).sample_count, 0u);  // opening syncs the epoch outside the writer
  MessageIdGenerator gen(store.id_epoch(), 7);
  for (int i = 0; i < 3; ++i) {
    auto id = gen.next();
    ASSERT_TRUE(testing::commit_and_wait(store, testing::sample_message(id), testing::body_for(id)));
  }
  const auto got = commit_histogram(reg);
  EXPECT_EQ(got.sample_count, 3u);  // one commit at a time: one synced batch each
  EXPECT_GT(got.sample_sum, 0);
  store.close();
}

}  // namespace
}  // namespace impulse::spool
