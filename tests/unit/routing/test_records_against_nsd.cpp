// Domain records built from real DNS answers (issue 3 integration): a real
// nsd on a loopback port serves a zone, the real libunbound resolver asks
// it, and the routing builder/cache turn the answers into domain records.
// Time for TTL expiry comes from a ManualClock; DNS is real.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "support/nsd_server.hpp"
#include "base/clock.hpp"
#include "config/route_item.hpp"
#include "dns/unbound_resolver.hpp"
#include "routing/domain_record_builder.hpp"
#include "routing/domain_record_cache.hpp"
#include "routing/random_source.hpp"
#include "routing/routing_failure.hpp"

namespace {

using namespace impulse;
using namespace impulse::routing;
using impulse::test::NsdServer;

std::string zone() {
  return NsdServer::zone_header("test", 300, 300) +
         // several MX at equal and unequal preference; the MX set has TTL 120,
         // one exchange's address TTL 60: the record lives 60 s.
         "multi 120 IN MX 10 mx1.multi.test.\n"
         "multi 120 IN MX 10 mx2.multi.test.\n"
         "multi 120 IN MX 20 mx3.multi.test.\n"
         "mx1.multi 60 IN A 127.0.1.1\n"
         "mx2.multi 300 IN A 127.0.1.2\n"
         "mx2.multi 300 IN A 127.0.1.22\n"
         "mx3.multi 300 IN A 127.0.1.3\n"
         // null MX (RFC 7505)
         "nullmx IN MX 0 .\n"
         // no MX at all: implicit MX from the A record
         "implicit 200 IN A 127.0.2.1\n"
         // an MX host that is a CNAME
         "cnamed IN MX 10 alias.cnamed.test.\n"
         "alias.cnamed IN CNAME real.cnamed.test.\n"
         "real.cnamed IN A 127.0.3.1\n"
         // an MX host with only an AAAA record
         "v6only IN MX 10 mx.v6only.test.\n"
         "mx.v6only IN AAAA ::1\n"
         // a smart host for route tests
         "smart IN A 127.0.4.1\n";
}

class RecordsAgainstNsd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nsd_.start()) << nsd_.error();
    dns::ResolverOptions opts;
    opts.nameservers = {nsd_.nameserver()};
    opts.query_timeout = std::chrono::seconds(10);
    auto r = dns::UnboundResolver::create(io_, opts);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    resolver_ = std::move(*r);
    builder_ = std::make_unique<DomainRecordBuilder>(*resolver_, clock_, random_);
  }

  std::shared_ptr<const DomainRecord> build(const std::string& domain, const RouteInputs& in) {
    std::shared_ptr<const DomainRecord> out;
    builder_->build(RecordKey{"default", domain}, in, 0, [&](std::shared_ptr<const DomainRecord> r) { out = r; });
    run_until([&] { return out != nullptr; });
    return out;
  }

  template <class Pred>
  void run_until(Pred done) {
    io_.restart();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(done()) << "no answer from the resolver";
  }

  static std::vector<std::string> addrs(const RouteHost& h) {
    std::vector<std::string> out;
    for (const auto& a : h.addresses) out.push_back(a.str());
    return out;
  }

  NsdServer nsd_{{{"test", zone()}}};
  boost::asio::io_context io_;
  std::unique_ptr<dns::UnboundResolver> resolver_;
  ManualClock clock_;
  SeededRandom random_{7};
  std::unique_ptr<DomainRecordBuilder> builder_;
};

TEST_F(RecordsAgainstNsd, SeveralMxAtEqualAndUnequalPreference) {
  auto rec = build("multi.test", RouteInputs{});
  ASSERT_TRUE(rec->usable()) << rec->failure->text;
  ASSERT_EQ(rec->hosts.size(), 3u);
  EXPECT_EQ(rec->hosts[0].preference, 10u);
  EXPECT_EQ(rec->hosts[1].preference, 10u);
  EXPECT_EQ(rec->hosts[2].preference, 20u);
  EXPECT_EQ(rec->hosts[2].name, "mx3.multi.test");
  EXPECT_EQ(addrs(rec->hosts[2]), std::vector<std::string>{"127.0.1.3"});
  const RouteHost* mx2 = rec->host("mx2.multi.test");
  ASSERT_NE(mx2, nullptr);
  auto mx2_addrs = addrs(*mx2);
  std::sort(mx2_addrs.begin(), mx2_addrs.end());
  EXPECT_EQ(mx2_addrs, (std::vector<std::string>{"127.0.1.2", "127.0.1.22"}));
  for (const auto& h : rec->hosts) EXPECT_EQ(h.port, 25);
  EXPECT_EQ(rec->ttl, 60u) << "smallest TTL of the answers it was built from";
}

TEST_F(RecordsAgainstNsd, NullMxFailsPermanently) {
  auto rec = build("nullmx.test", RouteInputs{});
  ASSERT_FALSE(rec->usable());
  EXPECT_TRUE(rec->failure->permanent);
  EXPECT_EQ(rec->failure->text, kNullMxText);
}

TEST_F(RecordsAgainstNsd, NoMxMeansImplicitMxFromAddressRecords) {
  auto rec = build("implicit.test", RouteInputs{});
  ASSERT_TRUE(rec->usable()) << rec->failure->text;
  ASSERT_EQ(rec->hosts.size(), 1u);
  EXPECT_EQ(rec->hosts[0].name, "implicit.test");
  EXPECT_EQ(rec->hosts[0].preference, 0u);
  EXPECT_EQ(addrs(rec->hosts[0]), std::vector<std::string>{"127.0.2.1"});
}

TEST_F(RecordsAgainstNsd, NxDomainFailsPermanently) {
  auto rec = build("no-such-domain.test", RouteInputs{});
  ASSERT_FALSE(rec->usable());
  EXPECT_TRUE(rec->failure->permanent);
  EXPECT_EQ(rec->failure->text, kDomainLookupFailedText);
}

TEST_F(RecordsAgainstNsd, CnamedMxHostIsFollowed) {
  auto rec = build("cnamed.test", RouteInputs{});
  ASSERT_TRUE(rec->usable()) << rec->failure->text;
  ASSERT_EQ(rec->hosts.size(), 1u);
  EXPECT_EQ(rec->hosts[0].name, "alias.cnamed.test");
  EXPECT_EQ(addrs(rec->hosts[0]), std::vector<std::string>{"127.0.3.1"});
}

TEST_F(RecordsAgainstNsd, AaaaOnlyHostNeedsUseIpv6) {
  auto without = build("v6only.test", RouteInputs{});
  ASSERT_FALSE(without->usable());
  EXPECT_EQ(without->failure->text, kNoMxOrAText);

  RouteInputs v6;
  v6.use_ipv6 = true;
  auto with = build("v6only.test", v6);
  ASSERT_TRUE(with->usable()) << with->failure->text;
  EXPECT_EQ(addrs(with->hosts[0]), std::vector<std::string>{"::1"});
}

TEST_F(RecordsAgainstNsd, RecordExpiresAfterItsTtlAndIsRebuilt) {
  RouteInputs in;
  DomainRecordCache cache(*builder_, clock_, [&](const RecordKey&) { return in; });
  std::shared_ptr<const DomainRecord> first;
  cache.get({"default", "multi.test"}, [&](auto r) { first = r; });
  run_until([&] { return first != nullptr; });
  auto queries_after_first = resolver_->upstream_queries();

  clock_.advance(std::chrono::seconds(59));
  std::shared_ptr<const DomainRecord> again;
  cache.get({"default", "multi.test"}, [&](auto r) { again = r; });
  run_until([&] { return again != nullptr; });
  EXPECT_EQ(again, first) << "still within its TTL: the same record";
  EXPECT_EQ(resolver_->upstream_queries(), queries_after_first);

  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(cache.evict_expired(), 1u);
  std::shared_ptr<const DomainRecord> rebuilt;
  cache.get({"default", "multi.test"}, [&](auto r) { rebuilt = r; });
  run_until([&] { return rebuilt != nullptr; });
  EXPECT_NE(rebuilt, first);
  EXPECT_EQ(rebuilt->built_at, clock_.now());
  EXPECT_EQ(rebuilt->hosts.size(), 3u);
}

TEST_F(RecordsAgainstNsd, RouteChangeAppliesOnlyAfterRefreshDomain) {
  RouteInputs in;  // DNS MX routing
  DomainRecordCache cache(*builder_, clock_, [&](const RecordKey&) { return in; });
  auto get = [&] {
    std::shared_ptr<const DomainRecord> r;
    cache.get({"default", "multi.test"}, [&](auto rec) { r = rec; });
    run_until([&] { return r != nullptr; });
    return r;
  };
  ASSERT_EQ(get()->hosts.size(), 3u);

  // "config reload" with Routes = ( "smart.test" ): existing record stays.
  in.routes = {*config::parse_route_item("smart.test")};
  auto still = get();
  ASSERT_EQ(still->hosts.size(), 3u);
  EXPECT_EQ(still->hosts[0].name.rfind("mx", 0), 0u);

  // `refresh domain multi.test`: rebuilt at once with the new routes.
  EXPECT_EQ(cache.refresh("multi.test"), 1u);
  auto now = get();
  ASSERT_TRUE(now->usable()) << now->failure->text;
  ASSERT_EQ(now->hosts.size(), 1u);
  EXPECT_EQ(now->hosts[0].name, "smart.test");
  EXPECT_EQ(addrs(now->hosts[0]), std::vector<std::string>{"127.0.4.1"});
}

}  // namespace
