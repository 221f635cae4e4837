// Every example of seed 003 ("routes") and seed 001 ("Routing Mail"), end to
// end: routing inputs -> domain record (through the resolver double) -> the
// connections MxChooser opens.
#include <gtest/gtest.h>

#include "chooser_harness.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using dns::RecordType;
using dns::Status;
using testing::ChooserHarness;
using testing::endpoint;
using testing::ip;
using testing::routes;
using namespace std::chrono_literals;

class SeedExamples : public testing::BuilderFixture {
 protected:
  SeedExamples() {
    dns_.mx("example.com", {{10, "mx1.example.com"}, {20, "mx2.example.com"}});
    dns_.a("mx1.example.com", {"192.0.2.1"});
    dns_.a("mx2.example.com", {"192.0.2.2"});
    dns_.status("my.local.smart.host", RecordType::MX, Status::NoData);
    dns_.a("my.local.smart.host", {"10.0.0.25"});
  }

  std::map<std::string, int> open_many(const DomainRecord& record, int count) {
    std::map<std::string, int> opened;
    for (int i = 0; i < count; ++i) {
      auto c = chooser_.open(record);
      EXPECT_EQ(c.status, ChoiceStatus::Connect) << "connection " << i;
      if (c.target) ++opened[c.target->host];
    }
    return opened;
  }

  ChooserHarness chooser_;
};

// Routes = ( "my.local.smart.host" )
TEST_F(SeedExamples, SmartHost) {
  RouteInputs in;
  in.routes = routes({"my.local.smart.host"});
  auto record = build("example.com", in);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 0) << "the domain's MX is not used";
  auto opened = open_many(*record, 10);
  EXPECT_EQ(opened, (std::map<std::string, int>{{"my.local.smart.host", 10}}));
  EXPECT_EQ(chooser_.choose(*record).target->address, ip("10.0.0.25"));
}

// Routes = ( "__mx__" )
TEST_F(SeedExamples, MxItemIsTheDomainsOwnMxSet) {
  RouteInputs in;
  in.routes = routes({"__mx__"});
  auto record = build("example.com", in);
  ASSERT_EQ(record->hosts.size(), 2u);
  EXPECT_EQ(record->hosts[0].preference, 10u);
  EXPECT_EQ(record->hosts[1].preference, 20u);
  EXPECT_EQ(open_many(*record, 5), (std::map<std::string, int>{{"mx1.example.com", 5}}));
  chooser_.host_health.record_failure(ip("192.0.2.1"), chooser_.clock.now());
  EXPECT_EQ(chooser_.choose(*record).target->host, "mx2.example.com");
}

// Routes = ( "smtp://my.local.smart.host?pref=1" "__mx__" )
TEST_F(SeedExamples, SmartHostWithPref1AheadOfMx) {
  RouteInputs in;
  in.routes = routes({"smtp://my.local.smart.host?pref=1", "__mx__"});
  auto record = build("example.com", in);
  EXPECT_EQ(open_many(*record, 8), (std::map<std::string, int>{{"my.local.smart.host", 8}}));
  chooser_.host_health.record_failure(ip("10.0.0.25"), chooser_.clock.now());
  EXPECT_EQ(chooser_.choose(*record).target->host, "mx1.example.com") << "the MX set is the fallback";
  chooser_.clock.advance(120s);
  EXPECT_EQ(chooser_.choose(*record).target->host, "my.local.smart.host");
}

// Routes = ( "smtp://1.2.3.4?pref=10&ttl=300&type=mx" )
TEST_F(SeedExamples, UrlWithPrefTtlAndType) {
  RouteInputs in;
  in.routes = routes({"smtp://1.2.3.4?pref=10&ttl=300&type=mx"});
  auto record = build("example.com", in);
  ASSERT_EQ(record->hosts.size(), 1u);
  EXPECT_EQ(record->hosts[0].preference, 10u);
  EXPECT_EQ(record->ttl, 300u);
  EXPECT_EQ(chooser_.choose(*record).target->address, ip("1.2.3.4"));
}

// Five pref=10 hosts: connections spread evenly; with a limit of 10 per host
// 50 connections give exactly 10 each.
TEST_F(SeedExamples, FiveEqualPreferenceHostsAreBalancedEvenly) {
  RouteInputs in;
  in.routes = routes({"smtp://10.0.11.7?pref=10", "smtp://10.0.11.8?pref=10", "smtp://10.0.11.10?pref=10",
                      "smtp://10.0.11.13?pref=10", "smtp://10.0.11.56?pref=10"});
  auto record = build("example.com", in);
  ASSERT_EQ(record->hosts.size(), 5u);
  chooser_.policy.max_outbound_connections = 64;
  chooser_.set_host_limits({{"10.0.11.7", 10}, {"10.0.11.8", 10}, {"10.0.11.10", 10}, {"10.0.11.13", 10},
                            {"10.0.11.56", 10}});
  auto opened = open_many(*record, 50);
  ASSERT_EQ(opened.size(), 5u);
  for (const auto& [name, count] : opened) EXPECT_EQ(count, 10) << name;
  EXPECT_EQ(chooser_.choose(*record).status, ChoiceStatus::HostsAtLimit);

  // Part-way, the spread never differs by more than one connection.
  ChooserHarness fresh;
  for (int i = 1; i <= 23; ++i) {
    fresh.open(*record);
    std::int64_t lo = 1000, hi = 0;
    for (const auto& h : record->hosts) {
      lo = std::min(lo, fresh.load.open_to(h.name));
      hi = std::max(hi, fresh.load.open_to(h.name));
    }
    EXPECT_LE(hi - lo, 1) << "after " << i << " connections";
  }
}

// IPv6 addresses in Routes must be bracketed, and are used even with
// use_ipv6 = false.
TEST_F(SeedExamples, Ipv6LiteralsInBrackets) {
  RouteInputs in;
  in.use_ipv6 = false;
  in.routes = routes({"[2001:db8::25]", "smtp://[2001:db8::26]:2525?pref=50000"});
  auto record = build("example.com", in);
  auto c = chooser_.choose(*record);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_EQ(c.target->address, ip("2001:db8::25"));
  chooser_.host_health.record_failure(ip("2001:db8::25"), chooser_.clock.now());
  c = chooser_.choose(*record);
  EXPECT_EQ(c.target->address, ip("2001:db8::26"));
  EXPECT_EQ(c.target->port, 2525);
}

// Without pref, "the first item is used exclusively unless it's unavailable,
// in which case the second item is used".
TEST_F(SeedExamples, ListOrderWithoutPrefUsesTheFirstItemExclusively) {
  RouteInputs in;
  in.routes = routes({"192.0.2.101", "192.0.2.102"});
  auto record = build("example.com", in);
  EXPECT_EQ(open_many(*record, 20), (std::map<std::string, int>{{"192.0.2.101", 20}}));

  ChooserHarness limited;
  limited.set_host_limits({{"192.0.2.101", 5}});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limited.open(*record).target->host, "192.0.2.101");
  EXPECT_EQ(limited.open(*record).target->host, "192.0.2.102") << "the second only when the first is at its limit";

  ChooserHarness failed;
  failed.host_health.record_failure(ip("192.0.2.101"), failed.clock.now());
  EXPECT_EQ(failed.choose(*record).target->host, "192.0.2.102") << "or when the first is quarantined";
}

// Seed 001: global Gateway = 10.10.10.50; Domain local.example.com has
// Gateway = 10.10.10.20 and Delivery_Method = LMTP.
TEST_F(SeedExamples, Seed001GlobalGatewayAndLmtpDomainGateway) {
  RouteInputs global;
  global.gateway = endpoint("10.10.10.50");
  auto other = build("example.com", global);
  auto c = chooser_.choose(*other);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_EQ(c.target->address, ip("10.10.10.50"));
  EXPECT_EQ(c.target->port, 25);
  EXPECT_EQ(dns_.total_asked(), 0);

  RouteInputs local;
  local.gateway = endpoint("10.10.10.20");
  local.method = DeliveryMethod::Lmtp;
  auto lmtp = build("local.example.com", local);
  EXPECT_EQ(lmtp->method, DeliveryMethod::Lmtp);
  c = chooser_.choose(*lmtp);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_EQ(c.target->address, ip("10.10.10.20"));
  EXPECT_EQ(c.target->port, 2003);
}

}  // namespace
}  // namespace impulse::routing
