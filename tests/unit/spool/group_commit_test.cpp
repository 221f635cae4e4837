// spool/group_commit.hpp: every op is flushed once, in order, and ops queued
// while a flush runs are taken together as the next batch.
#include "spool/group_commit.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace impulse::spool {
namespace {

struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<int>> batches;
  std::size_t seen = 0;

  void flush(std::vector<int>& ops) {
    std::lock_guard lock(mu);
    batches.push_back(ops);
    seen += ops.size();
    cv.notify_all();
  }
  bool wait_seen(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return seen >= n; });
  }
};

TEST(GroupCommitter, FlushesEveryOpOnceInSubmissionOrder) {
  Recorder rec;
  {
    GroupCommitter<int> gc([&](std::vector<int>& ops) { rec.flush(ops); }, 16, "test-writer");
    for (int i = 0; i < 1000; ++i) {
      int op = i;
      ASSERT_TRUE(gc.try_submit(std::move(op)));
    }
    gc.stop();
  }
  std::vector<int> all;
  for (const auto& b : rec.batches) {
    EXPECT_LE(b.size(), 16u);
    all.insert(all.end(), b.begin(), b.end());
  }
  ASSERT_EQ(all.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(all[i], i);
}

TEST(GroupCommitter, OpsQueuedDuringAFlushFormTheNextBatch) {
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool entered = false;
  bool gate_open = false;
  Recorder rec;
  GroupCommitter<int> gc(
      [&](std::vector<int>& ops) {
        if (ops.front() == 0) {  // the first flush holds the writer until the test has queued more
          std::unique_lock lock(gate_mu);
          entered = true;
          gate_cv.notify_all();
          gate_cv.wait(lock, [&] { return gate_open; });
        }
        rec.flush(ops);
      },
      4096, "test-writer");
  int first = 0;
  ASSERT_TRUE(gc.try_submit(std::move(first)));
  {
    std::unique_lock lock(gate_mu);
    ASSERT_TRUE(gate_cv.wait_for(lock, std::chrono::seconds(60), [&] { return entered; }));
  }
  for (int i = 1; i <= 100; ++i) {
    int op = i;
    ASSERT_TRUE(gc.try_submit(std::move(op)));
  }
  {
    std::lock_guard lock(gate_mu);
    gate_open = true;
  }
  gate_cv.notify_all();
  ASSERT_TRUE(rec.wait_seen(101));
  gc.stop();
  ASSERT_EQ(rec.batches.size(), 2u);
  EXPECT_EQ(rec.batches[0], std::vector<int>{0});
  ASSERT_EQ(rec.batches[1].size(), 100u);
  EXPECT_EQ(rec.batches[1].front(), 1);
  EXPECT_EQ(rec.batches[1].back(), 100);
}

TEST(GroupCommitter, RejectsOpsAfterStopAndLeavesThemUntouched) {
  Recorder rec;
  GroupCommitter<std::string> gc([&](std::vector<std::string>&) {}, 8, "test-writer");
  gc.stop();
  std::string op = "still here";
  EXPECT_FALSE(gc.try_submit(std::move(op)));
  EXPECT_EQ(op, "still here");
  gc.stop();  // idempotent
}

}  // namespace
}  // namespace impulse::spool
