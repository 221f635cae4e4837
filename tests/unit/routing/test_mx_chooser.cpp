// Where the next connection goes (mx_chooser.hpp): preference tiers, limits,
// even spreading, address order and quarantine, the 421 when nothing is
// reachable, domain auto-delay, queue/server limits and the connection
// throttle (SPEC §3 "Choosing where the next connection goes").
#include <gtest/gtest.h>

#include "chooser_harness.hpp"

namespace impulse::routing {
namespace {

using testing::ChooserHarness;
using testing::host;
using testing::ip;
using testing::record_of;
using namespace std::chrono_literals;

TEST(MxChooser, BestPreferenceIsUsedExclusivelyWhileBelowItsLimit) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  for (int i = 0; i < 20; ++i) {
    auto c = h.open(record);
    ASSERT_EQ(c.status, ChoiceStatus::Connect);
    EXPECT_EQ(c.target->host, "mx1");
    EXPECT_EQ(c.target->address, ip("192.0.2.1"));
    EXPECT_EQ(c.target->port, 25);
    EXPECT_EQ(c.target->preference, 10u);
  }
}

TEST(MxChooser, WorsePreferenceOnlyOnceTheBetterIsAtItsLimit) {
  ChooserHarness h;
  h.set_host_limits({{"mx1", 3}});
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.open(record).target->host, "mx1");
  EXPECT_EQ(h.open(record).target->host, "mx2");
  EXPECT_EQ(h.open(record).target->host, "mx2");
  h.close("mx1");
  EXPECT_EQ(h.open(record).target->host, "mx1") << "back to the better preference as soon as it has room";
}

TEST(MxChooser, WorsePreferenceWhileTheBetterIsQuarantinedThenBack) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  h.host_health.record_failure(ip("192.0.2.1"), h.clock.now());
  EXPECT_EQ(h.choose(record).target->host, "mx2");
  h.clock.advance(119s);
  EXPECT_EQ(h.choose(record).target->host, "mx2");
  h.clock.advance(1s);
  EXPECT_EQ(h.choose(record).target->host, "mx1") << "Host_Failure_Retry (120 s) is over";
}

TEST(MxChooser, HostFailureRetryComesFromThePolicy) {
  ChooserHarness h;
  h.policy.host_failure_retry = 30s;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  h.host_health.record_failure(ip("192.0.2.1"), h.clock.now());
  h.clock.advance(30s);
  EXPECT_EQ(h.choose(record).target->host, "mx1");
}

TEST(MxChooser, AddressesInResolverOrderSkippingQuarantinedOnes) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1", "192.0.2.2", "192.0.2.3"}), host("mx2", 20, {"192.0.2.9"})});
  EXPECT_EQ(h.choose(record).target->address, ip("192.0.2.1"));
  h.host_health.record_failure(ip("192.0.2.1"), h.clock.now());
  EXPECT_EQ(h.choose(record).target->address, ip("192.0.2.2"));
  h.host_health.record_failure(ip("192.0.2.2"), h.clock.now());
  EXPECT_EQ(h.choose(record).target->address, ip("192.0.2.3"));
  h.host_health.record_failure(ip("192.0.2.3"), h.clock.now());
  auto c = h.choose(record);
  EXPECT_EQ(c.target->host, "mx2");
  EXPECT_EQ(c.target->address, ip("192.0.2.9"));
}

TEST(MxChooser, NothingReachableFailsTransientlyWith421) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"}), host("dead", 30, {})});
  h.host_health.record_failure(ip("192.0.2.1"), h.clock.now());
  h.host_health.record_failure(ip("192.0.2.2"), h.clock.now());
  auto c = h.choose(record);
  EXPECT_EQ(c.status, ChoiceStatus::NoUsableHost);
  ASSERT_TRUE(c.failure);
  EXPECT_FALSE(c.failure->permanent);
  EXPECT_EQ(c.failure->text, "421 4.4.0 [internal] no MXs for this domain could be reached at this time");
}

TEST(MxChooser, AllReachableHostsAtTheirLimitMeansWaitNotFail) {
  ChooserHarness h;
  h.set_host_limits({{"mx1", 1}, {"mx2", 1}});
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  h.open(record);
  h.open(record);
  auto c = h.choose(record);
  EXPECT_EQ(c.status, ChoiceStatus::HostsAtLimit);
  EXPECT_FALSE(c.failure);
}

TEST(MxChooser, FewestOpenConnectionsAmongTheBestPreferenceWins) {
  ChooserHarness h;
  auto record = record_of({host("a", 10, {"192.0.2.1"}), host("b", 10, {"192.0.2.2"}), host("c", 10, {"192.0.2.3"}),
                           host("z", 5, {})});
  h.load.open_by_host = {{"a", 2}, {"b", 0}, {"c", 1}};
  h.load.open_connections = 3;
  EXPECT_EQ(h.choose(record).target->host, "b");
}

TEST(MxChooser, BalancingIsNotProportionalToLimits) {
  ChooserHarness h;
  h.set_host_limits({{"big", 100}, {"small", 2}});
  auto record = record_of({host("big", 10, {"192.0.2.1"}), host("small", 10, {"192.0.2.2"})});
  for (int i = 0; i < 4; ++i) h.open(record);
  EXPECT_EQ(h.load.open_to("big"), 2);
  EXPECT_EQ(h.load.open_to("small"), 2);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h.open(record).target->host, "big");
}

TEST(MxChooser, TiesAreBrokenAtRandomAndFairly) {
  ChooserHarness h;
  auto record = record_of({host("a", 10, {"192.0.2.1"}), host("b", 10, {"192.0.2.2"}), host("c", 10, {"192.0.2.3"}),
                           host("d", 10, {"192.0.2.4"}), host("e", 10, {"192.0.2.5"})});
  std::map<std::string, int> picked;
  for (int i = 0; i < 5000; ++i) ++picked[h.choose(record).target->host];  // nothing opened: always a 5-way tie
  ASSERT_EQ(picked.size(), 5u);
  for (const auto& [name, count] : picked) {
    EXPECT_GT(count, 850) << name;
    EXPECT_LT(count, 1150) << name;
  }
}

TEST(MxChooser, HostLimitCanCountEveryQueueOfTheBinding) {
  ChooserHarness h;
  h.set_host_limits({{"shared", 10}});
  auto record = record_of({host("shared", 10, {"192.0.2.1"}), host("backup", 20, {"192.0.2.2"})});
  h.load.host_total_open = {{"shared", 10}};  // other domains' queues already use it fully
  EXPECT_EQ(h.choose(record).target->host, "backup");
}

TEST(MxChooser, QueueWantsConnectionsByAggressivenessUnderItsMaximum) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"})});
  h.policy.max_outbound_connections = 2;
  EXPECT_EQ(h.open(record).status, ChoiceStatus::Connect);
  EXPECT_EQ(h.open(record).status, ChoiceStatus::Connect);
  EXPECT_EQ(h.open(record).status, ChoiceStatus::AtQueueLimit);

  ChooserHarness small;
  small.load.active_messages = 1;
  EXPECT_EQ(small.open(record).status, ChoiceStatus::Connect);
  EXPECT_EQ(small.open(record).status, ChoiceStatus::AtQueueLimit) << "one message wants one connection";
  small.load.active_messages = 0;
  small.close("mx1");
  EXPECT_EQ(small.open(record).status, ChoiceStatus::AtQueueLimit) << "an empty queue wants none";
}

TEST(MxChooser, ServerMaxOutboundConnections) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"})});
  h.policy.server_max_outbound_connections = 100;
  h.load.server_open_connections = 100;
  EXPECT_EQ(h.choose(record).status, ChoiceStatus::AtServerLimit);
}

TEST(MxChooser, RecordFailureIsPassedOn) {
  ChooserHarness h;
  auto record = record_of({});
  record.failure = permanent_failure(kNullMxText);
  auto c = h.choose(record);
  EXPECT_EQ(c.status, ChoiceStatus::RecordFailed);
  EXPECT_EQ(c.failure, record.failure);
}

TEST(MxChooser, MxFailuresToDelayAsksToDelayTheDomain) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"}), host("mx2", 20, {"192.0.2.2"})});
  for (int i = 0; i < 50; ++i) {
    h.domain_health.record_failure("mx1", h.clock.now());
    h.domain_health.record_failure("mx2", h.clock.now());
  }
  EXPECT_EQ(h.choose(record).status, ChoiceStatus::DelayDomain);
  h.domain_health.reset();  // the caller moved the active queue to the delayed queue
  EXPECT_EQ(h.choose(record).status, ChoiceStatus::Connect);
}

TEST(MxChooser, ConnectTimeoutToDelayAsksToDelayTheDomain) {
  ChooserHarness h;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"})});
  h.domain_health.record_failure("mx1", h.clock.now());
  h.clock.advance(900s);
  EXPECT_EQ(h.choose(record).status, ChoiceStatus::DelayDomain);
}

TEST(MxChooser, ConnectionThrottleSaysWhenToTryAgain) {
  ChooserHarness h;
  TokenBucket bucket({2, 1}, h.clock.now());
  h.throttle = &bucket;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"})});
  EXPECT_EQ(h.open(record).status, ChoiceStatus::Connect);
  EXPECT_EQ(h.open(record).status, ChoiceStatus::Connect);
  auto c = h.open(record);
  EXPECT_EQ(c.status, ChoiceStatus::Throttled);
  EXPECT_EQ(c.retry_at, h.clock.now() + 500ms);
  h.clock.advance(500ms);
  EXPECT_EQ(h.open(record).status, ChoiceStatus::Connect);
}

TEST(MxChooser, NoTokenIsTakenWhenNoConnectionIsOpened) {
  ChooserHarness h;
  TokenBucket bucket({1, 1}, h.clock.now());
  h.throttle = &bucket;
  auto record = record_of({host("mx1", 10, {"192.0.2.1"})});
  h.host_health.record_failure(ip("192.0.2.1"), h.clock.now());
  EXPECT_EQ(h.choose(record).status, ChoiceStatus::NoUsableHost);
  EXPECT_TRUE(bucket.try_take(h.clock.now())) << "the token is still there";
}

}  // namespace
}  // namespace impulse::routing
