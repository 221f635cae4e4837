// Outbound_Throttle_* token buckets (throttle.hpp): rates, bursts, time until
// the next token, and sharing by owner scope.
#include <gtest/gtest.h>

#include "routing/throttle.hpp"

namespace impulse::routing {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, NPerSecondAllowsABurstOfNThenOnePerInterval) {
  ManualClock clock;
  TokenBucket bucket({10, 1}, clock.now());
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.try_take(clock.now())) << i;
  EXPECT_FALSE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.time_until_token(clock.now()), 100ms);
  clock.advance(99ms);
  EXPECT_FALSE(bucket.try_take(clock.now()));
  clock.advance(1ms);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, NPerSSeconds) {
  ManualClock clock;
  TokenBucket bucket({60, 3}, clock.now());  // "60/3" from Momentum's example
  int sent = 0;
  for (int i = 0; i < 100; ++i) sent += bucket.try_take(clock.now()) ? 1 : 0;
  EXPECT_EQ(sent, 60);
  EXPECT_EQ(bucket.next_token_at(clock.now()), clock.now() + 50ms);
  clock.advance(3s);
  sent = 0;
  for (int i = 0; i < 100; ++i) sent += bucket.try_take(clock.now()) ? 1 : 0;
  EXPECT_EQ(sent, 60) << "refilled after S seconds, never above N";
}

TEST(TokenBucket, SteadyRateOverALongRun) {
  ManualClock clock;
  TokenBucket bucket({5, 2}, clock.now());
  int sent = 0;
  for (int tick = 0; tick < 2000; ++tick) {  // 200 s in 100 ms steps
    while (bucket.try_take(clock.now())) ++sent;
    clock.advance(100ms);
  }
  EXPECT_GE(sent, 500);
  EXPECT_LE(sent, 505);
}

TEST(TokenBucket, AvailableTokenMeansNoWait) {
  ManualClock clock;
  TokenBucket bucket({1, 1}, clock.now());
  EXPECT_EQ(bucket.time_until_token(clock.now()), 0ns);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.time_until_token(clock.now()), 1s);
}

TEST(ThrottleRegistry, ScopesFallingBackToTheSameOwnerShareOneBucket) {
  ManualClock clock;
  ThrottleRegistry registry(clock);
  // example.com and example.org both resolve outbound_throttle_messages to
  // the binding_group g1 that sets "2"; example.net sets its own.
  auto com = registry.bucket(ThrottleKind::Messages, "binding_group:g1", {2, 1});
  auto org = registry.bucket(ThrottleKind::Messages, "binding_group:g1", {2, 1});
  auto net = registry.bucket(ThrottleKind::Messages, "binding_group:g1/domain:example.net", {2, 1});
  EXPECT_EQ(com, org);
  EXPECT_NE(com, net);
  EXPECT_TRUE(com->try_take(clock.now()));
  EXPECT_TRUE(org->try_take(clock.now()));
  EXPECT_FALSE(com->try_take(clock.now())) << "the shared bucket is empty for both";
  EXPECT_TRUE(net->try_take(clock.now())) << "an independent bucket";
}

TEST(ThrottleRegistry, MessagesAndConnectionsAreSeparateBuckets) {
  ManualClock clock;
  ThrottleRegistry registry(clock);
  auto messages = registry.bucket(ThrottleKind::Messages, "global", {1, 1});
  auto connections = registry.bucket(ThrottleKind::Connections, "global", {1, 1});
  EXPECT_NE(messages, connections);
  EXPECT_EQ(registry.size(), 2u);
}

TEST(ThrottleRegistry, UnlimitedRateHasNoBucketAndAChangedRateReplacesIt) {
  ManualClock clock;
  ThrottleRegistry registry(clock);
  EXPECT_EQ(registry.bucket(ThrottleKind::Messages, "global", {0, 1}), nullptr);
  auto before = registry.bucket(ThrottleKind::Messages, "global", {1, 1});
  EXPECT_TRUE(before->try_take(clock.now()));
  auto same = registry.bucket(ThrottleKind::Messages, "global", {1, 1});
  EXPECT_EQ(before, same);
  auto after = registry.bucket(ThrottleKind::Messages, "global", {5, 1});  // config reload
  EXPECT_NE(before, after);
  EXPECT_EQ(after->rate().count, 5);
}

}  // namespace
}  // namespace impulse::routing
