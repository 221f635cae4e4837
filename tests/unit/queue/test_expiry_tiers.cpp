// message_expiration in a queue that makes no attempt (issue 18): a
// suspended domain's messages fail with the "exceeded max time" text and
// bounce at the first recheck after their expiry, without an attempt; the
// other queues of the same message are not touched; before the expiry
// nothing happens (the suspension still holds them). A dead domain's queue
// (a to_delayed hold, its jobs given back untried) fails its expired
// messages at the hold and when a job comes back under it.
#include <gtest/gtest.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

TEST(ExpiryTiers, ASuspendedDomainsMessageExpiresAndBouncesWithoutAnAttempt) {
  SchedulerHarness h("message_expiration = 100\nDomain \"example.com\" { suspend_delivery = true }\n");
  h.inject(kSender, {kRcpt, "dave@other.example"});
  EXPECT_EQ(h.agent.attempts_for("dave@other.example"), 1u);  // delivered at once
  h.advance(seconds(90));
  EXPECT_EQ(h.size_of("example.com").active, 1u);  // not yet expired: still held by the suspension
  EXPECT_TRUE(h.log.main_records("P").empty());
  h.advance(seconds(30));  // past the expiry, and a delayed_queue_scan_interval later
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 0u);
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0][13], "554 5.4.7 [internal] exceeded max time without delivery");
  EXPECT_EQ(ps[0][9], "0");  // never connected
  EXPECT_EQ(h.size_of("example.com").active, 0u);
  EXPECT_EQ(h.bounce_ids().size(), 1u);
}

Hold dead_domain_hold() {
  Hold h;
  h.target = Hold::Target::kQueue;
  h.to_delayed = true;
  h.reason = "no MX could be reached";
  return h;
}

TEST(ExpiryTiers, ADeadDomainsHeldMessagesExpireAtTheHoldAndWhenGivenBack) {
  SchedulerHarness h("retry_interval = 60\nmessage_expiration = 100\n");
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  h.inject(kSender, {kRcpt});
  ASSERT_FALSE(h.agent.ready.empty());
  auto queue = h.agent.ready[0];
  auto taken = queue->take(1);  // one in flight, one active
  ASSERT_EQ(taken.size(), 1u);
  queue->hold(dead_domain_hold());
  EXPECT_TRUE(h.log.main_records("P").empty()) << "not expired yet: only held";
  h.clock.advance(seconds(101));
  queue->release(taken[0]);  // the session never opened: given back untried, past its expiry
  h.drain();
  EXPECT_EQ(h.log.main_records("P").size(), 1u);
  queue->hold(dead_domain_hold());  // the next verdict: the delayed one is past its expiry too
  h.drain();
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 2u);
  for (const auto& p : ps) EXPECT_EQ(p[13], "554 5.4.7 [internal] exceeded max time without delivery");
  EXPECT_EQ(h.size_of("example.com").delayed, 0u);
  EXPECT_EQ(h.size_of("example.com").in_flight, 0u);
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 0u);
}

}  // namespace
}  // namespace impulse::queue::testing
