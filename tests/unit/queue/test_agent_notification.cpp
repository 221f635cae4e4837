// The notification contract (queue/delivery_agent.hpp point 1): on_ready is
// called whenever messages enter the active queue, whether or not the agent
// already has the queue, coalesced to one call per queue per loop turn. The
// case it exists for: a connection stalls while mail keeps arriving, and the
// agent must hear of the new mail to open another connection.
#include <gtest/gtest.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

TEST(AgentNotification, NewMailWhileTheAgentsOnlyConnectionStallsIsToldAgain) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.agent.ready.size(), 1u);
  auto queue = h.agent.ready[0];

  // The agent's one connection takes the message and never completes it.
  auto stalled = queue->take(1);
  ASSERT_EQ(stalled.size(), 1u);

  h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.agent.ready.size(), 2u) << "the agent hears of the new mail while it holds the queue";
  EXPECT_EQ(h.agent.ready[1], queue);
  EXPECT_EQ(queue->waiting(), 1u);
  h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.agent.ready_calls_for(*queue), 3u);
  EXPECT_EQ(queue->waiting(), 2u);
  EXPECT_EQ(h.size_of("example.com").in_flight, 1u);
}

TEST(AgentNotification, ASecondOnReadyForAServedQueueIsHarmless) {
  // The auto-running fake drains on every on_ready: the later calls find the
  // queue empty and attempt nothing twice.
  SchedulerHarness h;
  for (int i = 0; i < 3; ++i) h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.agent.ready_calls, 3u);
  EXPECT_EQ(h.agent.attempts.size(), 3u);
  EXPECT_EQ(h.scheduler->summary().delivered, 3u);
}

TEST(AgentNotification, ManyArrivalsInOneLoopTurnAreOneCall) {
  SchedulerHarness h("retry_interval = 60\n");
  h.agent.auto_run = false;
  for (int i = 0; i < 4; ++i) h.inject(kSender, {kRcpt});
  auto queue = h.agent.ready[0];
  auto jobs = queue->take(10);
  ASSERT_EQ(jobs.size(), 4u);
  for (auto& j : jobs) queue->complete(j, AttemptResult{{FakeAgent::tempfail()}});
  h.drain();
  EXPECT_EQ(h.size_of("example.com").delayed, 4u);
  const std::size_t told = h.agent.ready.size();

  h.advance(seconds(60));  // one sweep moves the four
  EXPECT_EQ(queue->waiting(), 4u);
  EXPECT_EQ(h.agent.ready.size(), told + 1) << "one call for the whole sweep";

  // A flush of several delayed messages is one call too.
  jobs = queue->take(10);
  ASSERT_EQ(jobs.size(), 4u);
  for (auto& j : jobs) queue->complete(j, AttemptResult{{FakeAgent::tempfail()}});
  h.drain();
  h.scheduler->flush(QueueFilter{}, nullptr);
  h.drain();
  EXPECT_EQ(queue->waiting(), 4u);
  EXPECT_EQ(h.agent.ready.size(), told + 2);
}

TEST(AgentNotification, CompletionsAndEmptyQueuesDoNotNotify) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  auto queue = h.agent.ready[0];
  auto jobs = queue->take(10);
  ASSERT_EQ(jobs.size(), 1u);
  queue->complete(jobs[0], AttemptResult{{FakeAgent::ok()}});
  h.drain();
  h.advance(seconds(3600));
  EXPECT_EQ(h.agent.ready.size(), 1u);
}

}  // namespace
}  // namespace impulse::queue::testing
