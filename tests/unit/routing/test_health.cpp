// Host_Failure_Retry quarantine (host_health.hpp) and the domain auto-delay
// rules Mx_Failures_To_Delay / Connect_Timeout_To_Delay (domain_health.hpp).
#include <gtest/gtest.h>

#include "routing/domain_health.hpp"
#include "routing/host_health.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using testing::ip;
using namespace std::chrono_literals;

TEST(HostHealth, FailedAddressIsQuarantinedForHostFailureRetry) {
  ManualClock clock;
  HostHealth health;
  const auto a = ip("192.0.2.1");
  const auto b = ip("192.0.2.2");
  EXPECT_FALSE(health.quarantined(a, clock.now(), 120s));
  health.record_failure(a, clock.now());
  EXPECT_TRUE(health.quarantined(a, clock.now(), 120s));
  EXPECT_FALSE(health.quarantined(b, clock.now(), 120s));
  EXPECT_EQ(health.failed_at(a), clock.now());
  clock.advance(119s);
  EXPECT_TRUE(health.quarantined(a, clock.now(), 120s));
  clock.advance(1s);
  EXPECT_FALSE(health.quarantined(a, clock.now(), 120s)) << "tried again after Host_Failure_Retry";
  EXPECT_TRUE(health.quarantined(a, clock.now(), 300s)) << "the domain's own Host_Failure_Retry applies";
}

TEST(HostHealth, SuccessClearsAndPurgeForgetsOldFailures) {
  ManualClock clock;
  HostHealth health;
  health.record_failure(ip("192.0.2.1"), clock.now());
  health.record_failure(ip("2001:db8::1"), clock.now());
  health.record_success(ip("192.0.2.1"));
  EXPECT_FALSE(health.quarantined(ip("192.0.2.1"), clock.now(), 120s));
  EXPECT_TRUE(health.quarantined(ip("2001:db8::1"), clock.now(), 120s));
  clock.advance(121s);
  EXPECT_EQ(health.purge(clock.now(), 120s), 1u);
  EXPECT_EQ(health.size(), 0u);
}

DomainRecord record_with(std::initializer_list<const char*> hosts) {
  DomainRecord record;
  for (const char* name : hosts) {
    RouteHost host;
    host.name = name;
    host.addresses = {ip("192.0.2.1")};
    record.hosts.push_back(host);
  }
  return record;
}

TEST(DomainHealth, DelaysWhenEveryMxFailedMxFailuresToDelayTimes) {
  ManualClock clock;
  DomainHealth health;
  auto record = record_with({"mx1", "mx2"});
  for (int i = 0; i < 50; ++i) health.record_failure("mx1", clock.now());
  for (int i = 0; i < 49; ++i) health.record_failure("mx2", clock.now());
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 0s)) << "mx2 has failed only 49 times";
  health.record_failure("mx2", clock.now());
  EXPECT_TRUE(health.should_delay(record, clock.now(), 50, 0s));
  EXPECT_EQ(health.consecutive_failures(), 100u);
  EXPECT_FALSE(health.should_delay(record, clock.now(), 0, 0s)) << "0 disables";
  health.reset();
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 0s));
}

TEST(DomainHealth, ASuccessBreaksTheRun) {
  ManualClock clock;
  DomainHealth health;
  auto record = record_with({"mx1", "mx2"});
  for (int i = 0; i < 60; ++i) {
    health.record_failure("mx1", clock.now());
    health.record_failure("mx2", clock.now());
  }
  health.record_success("mx2");
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 900s));
  EXPECT_EQ(health.host_failures("mx1"), 60u);
  EXPECT_EQ(health.host_failures("mx2"), 0u);
  EXPECT_EQ(health.consecutive_failures(), 0u);
}

TEST(DomainHealth, HostsWithoutAddressesDoNotBlockTheDelay) {
  ManualClock clock;
  DomainHealth health;
  auto record = record_with({"mx1"});
  RouteHost unresolved;
  unresolved.name = "noaddr";
  record.hosts.push_back(unresolved);
  for (int i = 0; i < 3; ++i) health.record_failure("mx1", clock.now());
  EXPECT_TRUE(health.should_delay(record, clock.now(), 3, 0s));
}

TEST(DomainHealth, DelaysWhenUnreachableForConnectTimeoutToDelay) {
  ManualClock clock;
  DomainHealth health;
  auto record = record_with({"mx1", "mx2"});
  health.record_failure("mx1", clock.now());
  clock.advance(899s);
  health.record_failure("mx2", clock.now());
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 900s));
  clock.advance(1s);
  EXPECT_TRUE(health.should_delay(record, clock.now(), 50, 900s));
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 0s)) << "0 disables";
  health.record_success("mx1");
  EXPECT_FALSE(health.should_delay(record, clock.now(), 50, 900s));
}

}  // namespace
}  // namespace impulse::routing
