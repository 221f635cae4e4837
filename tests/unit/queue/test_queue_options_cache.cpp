// The queue's options cached per configuration snapshot (DomainQueue::
// options): read once per snapshot however many hand-outs and completions
// use them, and read again as soon as `config reload` swaps the snapshot, so
// the new values apply to the next decision.
#include <gtest/gtest.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

TEST(QueueOptionsCache, ReadOncePerSnapshot) {
  SchedulerHarness h("retry_interval = 60\n");
  for (int i = 0; i < 5; ++i) h.inject(kSender, {kRcpt});
  ASSERT_FALSE(h.agent.ready.empty());
  auto queue = h.agent.ready[0];
  EXPECT_EQ(h.scheduler->summary().delivered, 5u);
  EXPECT_EQ(queue->options_reads(), 1u) << "5 hand-outs, 5 completions, 5 notifications: one read";
  h.size_of("example.com");
  EXPECT_EQ(queue->options_reads(), 1u);

  h.set_config("retry_interval = 90\n");  // config reload: a new snapshot
  EXPECT_EQ(queue->options_reads(), 1u) << "nothing read until a decision needs it";
  for (int i = 0; i < 3; ++i) h.inject(kSender, {kRcpt});
  EXPECT_EQ(queue->options_reads(), 2u);
}

TEST(QueueOptionsCache, ANewSnapshotAppliesToTheNextDecision) {
  SchedulerHarness h("retry_interval = 60\n");
  h.agent.script = always(FakeAgent::tempfail());
  h.inject(kSender, {kRcpt});
  auto queue = h.agent.ready[0];
  auto first = queue->list(10, 0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].next_attempt, spool::to_spool_time(h.clock.wall_now() + seconds(60)));

  h.set_config("retry_interval = 600\n");
  h.inject(kSender, {kRcpt});
  bool found = false;
  for (const auto& info : queue->list(10, 0)) {
    if (info.retries == 1 && info.next_attempt == spool::to_spool_time(h.clock.wall_now() + seconds(600)))
      found = true;
  }
  EXPECT_TRUE(found) << "the reloaded retry_interval decides the new message's retry";

  Hold hold;
  hold.reason = "test";
  queue->hold(hold);
  EXPECT_EQ(queue->held_until(), spool::to_spool_time(h.clock.wall_now() + seconds(600)));

  h.set_config("Domain \"example.com\" { suspend_delivery = true }\n");
  EXPECT_TRUE(h.size_of("example.com").suspended) << "suspension follows the snapshot too";
}

}  // namespace
}  // namespace impulse::queue::testing
