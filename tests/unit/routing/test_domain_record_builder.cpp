// Domain record building (domain_record_builder.hpp) through a table-driven
// asynchronous resolver double: MX/implicit MX/null MX/NXDOMAIN/SERVFAIL,
// gateways and routes, IPv6 rules, TTLs, Prohibited_Hosts and Skip_Hosts,
// RFC 5321 shuffling of equal preferences (SPEC §3).
#include <gtest/gtest.h>

#include <set>

#include "routing/domain_record_builder.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using dns::RecordType;
using dns::Status;
using testing::address_texts;
using testing::BuilderFixture;
using testing::cidr;
using testing::endpoint;
using testing::routes;

using Strings = std::vector<std::string>;

class DomainRecordBuilderTest : public BuilderFixture {};

TEST_F(DomainRecordBuilderTest, MxHostsWithAddressesInPreferenceOrder) {
  dns_.mx("example.com", {{20, "mx2.example.com"}, {10, "mx1.example.com"}}, 3600);
  dns_.a("mx1.example.com", {"192.0.2.1", "192.0.2.2"}, 600);
  dns_.a("mx2.example.com", {"192.0.2.3"}, 900);
  auto record = build("example.com", RouteInputs{});
  ASSERT_TRUE(record->usable());
  ASSERT_EQ(record->hosts.size(), 2u);
  EXPECT_EQ(record->hosts[0].name, "mx1.example.com");
  EXPECT_EQ(record->hosts[0].preference, 10u);
  EXPECT_EQ(record->hosts[0].port, 25);
  EXPECT_EQ(address_texts(record->hosts[0]), (Strings{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(record->hosts[0].ttl, 600u);
  EXPECT_EQ(record->hosts[1].name, "mx2.example.com");
  EXPECT_EQ(record->hosts[1].preference, 20u);
  EXPECT_EQ(record->ttl, 600u);
  EXPECT_EQ(record->key.domain, "example.com");
  EXPECT_EQ(record->built_at, clock_.now());
  EXPECT_EQ(record->expires_at, clock_.now() + std::chrono::seconds(600));
  EXPECT_EQ(record->dns_failures, 0u);
}

TEST_F(DomainRecordBuilderTest, ExchangeAddressesAreResolvedInParallel) {
  dns_.mx("example.com", {{10, "a.example.com"}, {10, "b.example.com"}, {20, "c.example.com"}});
  dns_.a("a.example.com", {"192.0.2.1"});
  dns_.a("b.example.com", {"192.0.2.2"});
  dns_.a("c.example.com", {"192.0.2.3"});
  bool done = false;
  builder_.build({"default", "example.com"}, RouteInputs{}, 0, [&](auto) { done = true; });
  EXPECT_EQ(dns_.pending(), 1u) << "the MX question first";
  ASSERT_TRUE(dns_.step());
  EXPECT_EQ(dns_.pending(), 3u) << "every exchange asked at once";
  EXPECT_FALSE(done);
  dns_.pump();
  EXPECT_TRUE(done);
}

TEST_F(DomainRecordBuilderTest, NoDataMeansImplicitMxOfTheDomain) {
  dns_.status("example.com", RecordType::MX, Status::NoData, 1800);
  dns_.a("example.com", {"192.0.2.9"}, 1200);
  auto record = build("example.com", RouteInputs{});
  ASSERT_TRUE(record->usable());
  ASSERT_EQ(record->hosts.size(), 1u);
  EXPECT_EQ(record->hosts[0].name, "example.com");
  EXPECT_EQ(record->hosts[0].preference, 0u);
  EXPECT_EQ(address_texts(record->hosts[0]), (Strings{"192.0.2.9"}));
  EXPECT_EQ(record->ttl, 1200u);
}

TEST_F(DomainRecordBuilderTest, NullMxFailsPermanently) {
  dns_.mx("nomail.example", {{0, ""}});
  auto record = build("nomail.example", RouteInputs{});
  ASSERT_FALSE(record->usable());
  EXPECT_TRUE(record->failure->permanent);
  EXPECT_EQ(record->failure->text, "550 5.4.4 [internal] NULL MX domain does not accept mail");
  EXPECT_EQ(dns_.asked("nomail.example", RecordType::A), 0) << "no fallback to A for a null MX";
}

TEST_F(DomainRecordBuilderTest, NxDomainFailsPermanently) {
  dns_.status("nowhere.example", RecordType::MX, Status::NxDomain, 900);
  auto record = build("nowhere.example", RouteInputs{});
  ASSERT_FALSE(record->usable());
  EXPECT_TRUE(record->failure->permanent);
  EXPECT_EQ(record->failure->text, "554 5.4.4 [internal] Domain Lookup Failed");
  EXPECT_EQ(record->ttl, 900u) << "negative TTL of the answer";
}

TEST_F(DomainRecordBuilderTest, ServFailIsTransientUntilDnsFailuresToPurge) {
  dns_.status("flaky.example", RecordType::MX, Status::ServFail);
  RouteInputs in;
  in.dns_failures_to_purge = 3;
  auto first = build("flaky.example", in, 0);
  ASSERT_FALSE(first->usable());
  EXPECT_FALSE(first->failure->permanent);
  EXPECT_EQ(first->failure->text, kDnsTemporaryFailureText);
  EXPECT_EQ(first->dns_failures, 1u);
  EXPECT_LE(first->ttl, kDnsFailureRetryTtl);

  auto second = build("flaky.example", in, first->dns_failures);
  EXPECT_FALSE(second->failure->permanent);
  EXPECT_EQ(second->dns_failures, 2u);

  auto third = build("flaky.example", in, second->dns_failures);
  EXPECT_TRUE(third->failure->permanent);
  EXPECT_EQ(third->failure->text, "554 5.4.4 [internal] Domain Lookup Failed");
  EXPECT_EQ(third->dns_failures, 3u);
}

TEST_F(DomainRecordBuilderTest, TimeoutCountsLikeServFailAndSuccessResetsTheCount) {
  dns_.status("slow.example", RecordType::MX, Status::Timeout);
  RouteInputs in;
  in.dns_failures_to_purge = 10;
  auto failed = build("slow.example", in, 8);
  EXPECT_FALSE(failed->failure->permanent);
  EXPECT_EQ(failed->dns_failures, 9u);

  dns_.mx("slow.example", {{10, "mx.slow.example"}});
  dns_.a("mx.slow.example", {"192.0.2.4"});
  auto ok = build("slow.example", in, failed->dns_failures);
  EXPECT_TRUE(ok->usable());
  EXPECT_EQ(ok->dns_failures, 0u);
}

TEST_F(DomainRecordBuilderTest, ZeroDnsFailuresToPurgeNeverPurges) {
  dns_.status("flaky.example", RecordType::MX, Status::ServFail);
  RouteInputs in;
  in.dns_failures_to_purge = 0;
  auto record = build("flaky.example", in, 1000);
  EXPECT_FALSE(record->failure->permanent);
}

TEST_F(DomainRecordBuilderTest, ExchangesWithoutAddressesAreNotUsable) {
  dns_.mx("example.com", {{10, "gone.example.com"}});
  // gone.example.com is not in the table: NXDOMAIN.
  auto record = build("example.com", RouteInputs{});
  ASSERT_FALSE(record->usable());
  EXPECT_FALSE(record->failure->permanent);
  EXPECT_EQ(record->failure->text, "454 4.4.4 [internal] no MX or A for domain");
}

TEST_F(DomainRecordBuilderTest, OneExchangeFailingDoesNotFailTheRecordButShortensTheTtl) {
  dns_.mx("example.com", {{10, "a.example.com"}, {20, "b.example.com"}});
  dns_.status("a.example.com", RecordType::A, Status::ServFail);
  dns_.a("b.example.com", {"192.0.2.2"});
  auto record = build("example.com", RouteInputs{}, 4);
  ASSERT_TRUE(record->usable());
  EXPECT_EQ(record->dns_failures, 0u);
  EXPECT_TRUE(record->hosts[0].addresses.empty());
  EXPECT_EQ(record->ttl, kDnsFailureRetryTtl);
}

TEST_F(DomainRecordBuilderTest, AaaaOnlyWithUseIpv6) {
  dns_.mx("example.com", {{10, "mx.example.com"}});
  dns_.a("mx.example.com", {"192.0.2.1"});
  dns_.aaaa("mx.example.com", {"2001:db8::1"});
  auto v4only = build("example.com", RouteInputs{});
  EXPECT_EQ(address_texts(v4only->hosts[0]), (Strings{"192.0.2.1"}));
  EXPECT_EQ(dns_.asked("mx.example.com", RecordType::AAAA), 0);

  RouteInputs in;
  in.use_ipv6 = true;
  auto both = build("example.com", in);
  EXPECT_EQ(address_texts(both->hosts[0]), (Strings{"192.0.2.1", "2001:db8::1"}));
  in.prefer_ipv6_mxs = true;
  auto v6first = build("example.com", in);
  EXPECT_EQ(address_texts(v6first->hosts[0]), (Strings{"2001:db8::1", "192.0.2.1"}));
}

TEST_F(DomainRecordBuilderTest, Ipv6LiteralRoutesAreUsedEvenWithoutUseIpv6) {
  RouteInputs in;
  in.use_ipv6 = false;
  in.routes = routes({"[2001:db8::25]", "smtp://[::1]:2525?pref=5"});
  auto record = build("example.com", in);
  ASSERT_TRUE(record->usable());
  EXPECT_EQ(dns_.total_asked(), 0) << "IP literals need no lookup";
  ASSERT_EQ(record->hosts.size(), 2u);
  EXPECT_EQ(record->hosts[0].name, "2001:db8::25");
  EXPECT_EQ(record->hosts[0].preference, 0u);
  EXPECT_EQ(address_texts(record->hosts[0]), (Strings{"2001:db8::25"}));
  EXPECT_EQ(record->hosts[1].name, "::1");
  EXPECT_EQ(record->hosts[1].port, 2525);
  EXPECT_EQ(record->hosts[1].preference, 5u);
  EXPECT_EQ(record->ttl, kDefaultRouteTtl) << "no DNS TTL and no ttl=: 300 s";
}

TEST_F(DomainRecordBuilderTest, LiteralOnlyBuildCompletesWithoutTheResolver) {
  RouteInputs in;
  in.gateway = endpoint("10.10.10.50");
  int calls = 0;
  builder_.build({"default", "example.com"}, in, 0, [&](auto record) {
    ++calls;
    EXPECT_EQ(record->hosts.at(0).name, "10.10.10.50");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(dns_.pending(), 0u);
}

TEST_F(DomainRecordBuilderTest, GatewayHostIsResolvedAsMxFirst) {
  dns_.mx("relay.example.net", {{5, "out1.example.net"}});
  dns_.a("out1.example.net", {"198.51.100.1"});
  RouteInputs in;
  in.gateway = endpoint("relay.example.net");
  auto record = build("example.com", in);
  ASSERT_TRUE(record->usable());
  ASSERT_EQ(record->hosts.size(), 1u);
  EXPECT_EQ(record->hosts[0].name, "out1.example.net");
  EXPECT_EQ(record->hosts[0].preference, 5u);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 0) << "the gateway replaces the domain's MX";
}

TEST_F(DomainRecordBuilderTest, GatewayHostWithoutMxFallsBackToA) {
  dns_.status("relay.example.net", RecordType::MX, Status::NoData);
  dns_.a("relay.example.net", {"198.51.100.2"});
  RouteInputs in;
  in.gateway = endpoint("relay.example.net:2525");
  auto record = build("example.com", in);
  ASSERT_TRUE(record->usable());
  EXPECT_EQ(record->hosts[0].name, "relay.example.net");
  EXPECT_EQ(record->hosts[0].port, 2525);
  EXPECT_EQ(address_texts(record->hosts[0]), (Strings{"198.51.100.2"}));
}

TEST_F(DomainRecordBuilderTest, TypeARouteSkipsTheMxLookup) {
  dns_.mx("relay.example.net", {{5, "other.example.net"}});
  dns_.a("relay.example.net", {"198.51.100.3"});
  RouteInputs in;
  in.routes = routes({"smtp://relay.example.net?type=a"});
  auto record = build("example.com", in);
  EXPECT_EQ(dns_.asked("relay.example.net", RecordType::MX), 0);
  ASSERT_EQ(record->hosts.size(), 1u);
  EXPECT_EQ(record->hosts[0].name, "relay.example.net");
}

TEST_F(DomainRecordBuilderTest, SmartHostAheadOfMxKeepsDnsOrderInsideTheMxTier) {
  dns_.mx("example.com", {{20, "mx2.example.com"}, {10, "mx1.example.com"}});
  dns_.a("mx1.example.com", {"192.0.2.1"});
  dns_.a("mx2.example.com", {"192.0.2.2"});
  dns_.status("my.local.smart.host", RecordType::MX, Status::NoData);
  dns_.a("my.local.smart.host", {"10.0.0.25"});
  RouteInputs in;
  in.routes = routes({"smtp://my.local.smart.host?pref=1", "__mx__"});
  auto record = build("example.com", in);
  ASSERT_EQ(record->hosts.size(), 3u);
  EXPECT_EQ(record->hosts[0].name, "my.local.smart.host");
  EXPECT_EQ(record->hosts[0].preference, 1u);
  EXPECT_EQ(record->hosts[1].name, "mx1.example.com");
  EXPECT_EQ(record->hosts[1].preference, 65536u + 10u);
  EXPECT_EQ(record->hosts[2].name, "mx2.example.com");
  EXPECT_EQ(record->hosts[2].preference, 65536u + 20u);
}

TEST_F(DomainRecordBuilderTest, SameHostFromTwoItemsIsListedOnceAtItsBestPreference) {
  dns_.mx("example.com", {{10, "mx1.example.com"}});
  dns_.a("mx1.example.com", {"192.0.2.1"});
  RouteInputs in;
  in.routes = routes({"__mx__", "smtp://mx1.example.com?type=a"});
  auto record = build("example.com", in);
  ASSERT_EQ(record->hosts.size(), 1u);
  EXPECT_EQ(record->hosts[0].preference, 10u);
}

TEST_F(DomainRecordBuilderTest, TtlIsTheSmallestOfDnsAnswersAndRouteTtl) {
  dns_.mx("example.com", {{10, "mx.example.com"}}, 7200);
  dns_.a("mx.example.com", {"192.0.2.1"}, 3600);
  dns_.status("relay.example.net", RecordType::MX, Status::NoData, 0);
  dns_.a("relay.example.net", {"198.51.100.1"}, 5000);
  RouteInputs in;
  in.routes = routes({"smtp://relay.example.net?ttl=120", "__mx__"});
  auto record = build("example.com", in);
  EXPECT_EQ(record->ttl, 120u);
  EXPECT_EQ(record->host("relay.example.net")->ttl, 120u);
  EXPECT_EQ(record->host("mx.example.com")->ttl, 3600u);

  in.routes = routes({"smtp://relay.example.net?ttl=9000", "__mx__"});
  EXPECT_EQ(build("example.com", in)->ttl, 3600u);
}

TEST_F(DomainRecordBuilderTest, LiteralWithoutTtlCounts300AndWithTtlUsesIt) {
  RouteInputs in;
  in.routes = routes({"192.0.2.1"});
  EXPECT_EQ(build("example.com", in)->ttl, 300u);
  in.routes = routes({"smtp://192.0.2.1?ttl=45"});
  EXPECT_EQ(build("example.com", in)->ttl, 45u);
  in.routes = routes({"smtp://192.0.2.1?ttl=4000"});
  EXPECT_EQ(build("example.com", in)->ttl, 4000u);
}

TEST_F(DomainRecordBuilderTest, TtlIsClampedByMinAndMaxDnsTtl) {
  dns_.mx("example.com", {{10, "mx.example.com"}}, 30);
  dns_.a("mx.example.com", {"192.0.2.1"}, 30);
  RouteInputs in;
  in.min_dns_ttl = 600;
  EXPECT_EQ(build("example.com", in)->ttl, 600u);

  dns_.mx("example.com", {{10, "mx.example.com"}}, 86400);
  dns_.a("mx.example.com", {"192.0.2.1"}, 86400);
  in.min_dns_ttl = 0;
  in.max_dns_ttl = 3600;
  auto record = build("example.com", in);
  EXPECT_EQ(record->ttl, 3600u);
  EXPECT_EQ(record->expires_at - record->built_at, std::chrono::seconds(3600));
}

TEST_F(DomainRecordBuilderTest, ProhibitedAddressFailsPermanentlyEvenBesideGoodHosts) {
  dns_.mx("example.com", {{10, "good.example.com"}, {20, "bad.example.com"}});
  dns_.a("good.example.com", {"192.0.2.1"});
  dns_.a("bad.example.com", {"127.0.0.1"});
  RouteInputs in;
  in.prohibited_hosts = {cidr("127.0.0.0/8"), cidr("0.0.0.0")};
  auto record = build("example.com", in);
  ASSERT_FALSE(record->usable());
  EXPECT_TRUE(record->failure->permanent);
  EXPECT_EQ(record->failure->text, "551 5.4.6 [internal] Private/Loopback Address");
}

TEST_F(DomainRecordBuilderTest, ProhibitedIpv6Literal) {
  RouteInputs in;
  in.routes = routes({"[::1]"});
  in.prohibited_hosts = {cidr("::1")};
  auto record = build("example.com", in);
  ASSERT_FALSE(record->usable());
  EXPECT_EQ(record->failure->text, kProhibitedAddressText);
}

TEST_F(DomainRecordBuilderTest, SkipHostsOnlyDropsThoseAddresses) {
  dns_.mx("example.com", {{10, "mixed.example.com"}, {20, "other.example.com"}});
  dns_.a("mixed.example.com", {"10.1.2.3", "192.0.2.1"});
  dns_.a("other.example.com", {"10.9.9.9"});
  RouteInputs in;
  in.skip_hosts = {cidr("10.0.0.0/8")};
  auto record = build("example.com", in);
  ASSERT_TRUE(record->usable());
  EXPECT_EQ(address_texts(*record->host("mixed.example.com")), (Strings{"192.0.2.1"}));
  EXPECT_TRUE(record->host("other.example.com")->addresses.empty());
}

TEST_F(DomainRecordBuilderTest, EverythingSkippedLeavesNoUsableHost) {
  dns_.mx("example.com", {{10, "mx.example.com"}});
  dns_.a("mx.example.com", {"10.1.2.3"});
  RouteInputs in;
  in.skip_hosts = {cidr("10.0.0.0/8")};
  auto record = build("example.com", in);
  ASSERT_FALSE(record->usable());
  EXPECT_FALSE(record->failure->permanent);
  EXPECT_EQ(record->failure->text, kNoMxOrAText);
}

TEST_F(DomainRecordBuilderTest, EqualPreferencesAreShuffledButPreferenceOrderHolds) {
  dns_.mx("example.com", {{10, "a.example.com"}, {10, "b.example.com"}, {10, "c.example.com"},
                          {10, "d.example.com"}, {5, "first.example.com"}, {50, "last.example.com"}});
  for (const char* h : {"a", "b", "c", "d", "first", "last"}) {
    dns_.a(std::string(h) + ".example.com", {"192.0.2.1"});
  }
  std::set<std::string> second_positions;
  for (int i = 0; i < 40; ++i) {
    auto record = build("example.com", RouteInputs{});
    ASSERT_EQ(record->hosts.size(), 6u);
    EXPECT_EQ(record->hosts.front().name, "first.example.com");
    EXPECT_EQ(record->hosts.back().name, "last.example.com");
    for (std::size_t h = 1; h < record->hosts.size(); ++h) {
      EXPECT_LE(record->hosts[h - 1].preference, record->hosts[h].preference);
    }
    second_positions.insert(record->hosts[1].name);
  }
  EXPECT_EQ(second_positions.size(), 4u) << "each equal-preference host comes first sometimes";
}

TEST_F(DomainRecordBuilderTest, SameSeedGivesTheSameOrder) {
  dns_.mx("example.com", {{10, "a.example.com"}, {10, "b.example.com"}, {10, "c.example.com"}});
  for (const char* h : {"a", "b", "c"}) dns_.a(std::string(h) + ".example.com", {"192.0.2.1"});
  auto names = [&](std::uint64_t seed) {
    SeededRandom random(seed);
    DomainRecordBuilder builder(dns_, clock_, random);
    std::vector<std::string> out;
    builder.build({"default", "example.com"}, RouteInputs{}, 0, [&](auto record) {
      for (const auto& host : record->hosts) out.push_back(host.name);
    });
    dns_.pump();
    return out;
  };
  EXPECT_EQ(names(7), names(7));
}

}  // namespace
}  // namespace impulse::routing
