// The route cache (domain_record_cache.hpp): get-or-build with queued
// callers, TTL expiry on a ManualClock, `refresh domain NAME|all`, config
// reload not rebuilding, and the DNS-failure count carried across builds.
#include <gtest/gtest.h>

#include "routing/domain_record_cache.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using dns::RecordType;
using dns::Status;
using testing::routes;
using namespace std::chrono_literals;

using RecordPtr = std::shared_ptr<const DomainRecord>;

class DomainRecordCacheTest : public ::testing::Test {
 protected:
  DomainRecordCacheTest() {
    dns_.mx("example.com", {{10, "mx.example.com"}}, 600);
    dns_.a("mx.example.com", {"192.0.2.1"}, 600);
    dns_.mx("other.example", {{10, "mx.other.example"}}, 600);
    dns_.a("mx.other.example", {"192.0.2.2"}, 600);
  }

  // Gets the record, pumping the resolver if needed.
  RecordPtr get(const std::string& domain, const std::string& binding = "default") {
    RecordPtr result;
    cache_.get({binding, domain}, [&](RecordPtr record) { result = std::move(record); });
    dns_.pump();
    return result;
  }

  test::FakeResolver dns_;
  ManualClock clock_;
  SeededRandom random_{1};
  DomainRecordBuilder builder_{dns_, clock_, random_};
  RouteInputs config_;  // "the running configuration": read only at build time
  int inputs_asked_ = 0;
  DomainRecordCache cache_{builder_, clock_, [this](const RecordKey&) {
                             ++inputs_asked_;
                             return config_;
                           }};
};

TEST_F(DomainRecordCacheTest, BuildsOnFirstUseThenServesFromCache) {
  auto first = get("example.com");
  ASSERT_TRUE(first);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 1);

  int calls = 0;
  cache_.get({"default", "Example.com."}, [&](RecordPtr record) {
    ++calls;
    EXPECT_EQ(record, first);
  });
  EXPECT_EQ(calls, 1) << "a fresh cached record is given at once";
  EXPECT_EQ(dns_.pending(), 0u);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 1);
  EXPECT_EQ(cache_.find({"default", "example.com"}), first);
}

TEST_F(DomainRecordCacheTest, CallersDuringABuildAreQueuedOnIt) {
  std::vector<RecordPtr> got;
  for (int i = 0; i < 3; ++i) cache_.get({"default", "example.com"}, [&](RecordPtr r) { got.push_back(r); });
  EXPECT_TRUE(got.empty());
  EXPECT_TRUE(cache_.building({"default", "example.com"}));
  EXPECT_EQ(dns_.pending(), 1u) << "one build, one MX question";
  dns_.pump();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], got[1]);
  EXPECT_EQ(got[1], got[2]);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 1);
  EXPECT_FALSE(cache_.building({"default", "example.com"}));
}

TEST_F(DomainRecordCacheTest, EachBindingHasItsOwnRecord) {
  auto a = get("example.com", "b1");
  auto b = get("example.com", "b2");
  EXPECT_NE(a, b);
  EXPECT_EQ(a->key.binding, "b1");
  EXPECT_EQ(b->key.binding, "b2");
  EXPECT_EQ(cache_.size(), 2u);
}

TEST_F(DomainRecordCacheTest, ExpiresAfterItsTtl) {
  auto first = get("example.com");
  ASSERT_EQ(first->ttl, 600u);
  clock_.advance(599s);
  EXPECT_EQ(get("example.com"), first);
  EXPECT_EQ(first->remaining_ttl(clock_.now()), 1u);
  clock_.advance(1s);
  EXPECT_EQ(cache_.find({"default", "example.com"}), nullptr);
  auto second = get("example.com");
  EXPECT_NE(second, first);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 2);
  EXPECT_EQ(second->built_at, clock_.now());
}

TEST_F(DomainRecordCacheTest, ConfigReloadDoesNotRebuildUntilTheTtlRunsOut) {
  auto before = get("example.com");
  ASSERT_EQ(before->hosts.at(0).name, "mx.example.com");
  const int asked = inputs_asked_;

  config_.routes = routes({"192.0.2.200"});  // the reloaded configuration routes elsewhere
  clock_.advance(300s);
  auto during = get("example.com");
  EXPECT_EQ(during, before) << "an existing record keeps its routes";
  EXPECT_EQ(inputs_asked_, asked);

  clock_.advance(300s);
  auto after = get("example.com");
  ASSERT_EQ(after->hosts.size(), 1u);
  EXPECT_EQ(after->hosts[0].name, "192.0.2.200");
}

TEST_F(DomainRecordCacheTest, RefreshDomainRebuildsAtOnceWithTheNewRoutes) {
  auto before = get("example.com", "b1");
  get("example.com", "b2");
  get("other.example", "b1");
  config_.routes = routes({"192.0.2.200"});

  EXPECT_EQ(cache_.refresh("EXAMPLE.com"), 2u) << "every binding's record of the domain";
  EXPECT_NE(cache_.find({"b1", "example.com"}), before) << "the old record is no longer served";
  RecordPtr got;
  cache_.get({"b1", "example.com"}, [&](RecordPtr r) { got = r; });
  dns_.pump();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->hosts.at(0).name, "192.0.2.200");
  EXPECT_EQ(cache_.find({"b2", "example.com"})->hosts.at(0).name, "192.0.2.200");
  EXPECT_EQ(cache_.find({"b1", "other.example"})->hosts.at(0).name, "mx.other.example")
      << "other domains are untouched";
}

TEST_F(DomainRecordCacheTest, CallersWaitForARefreshInFlight) {
  auto before = get("example.com");
  dns_.mx("example.com", {{10, "new-mx.example.com"}}, 600);
  dns_.a("new-mx.example.com", {"192.0.2.50"}, 600);
  EXPECT_EQ(cache_.refresh("example.com"), 1u);
  EXPECT_EQ(cache_.find({"default", "example.com"}), nullptr) << "the old record is no longer served";
  EXPECT_EQ(cache_.last({"default", "example.com"}), before) << "but the console can still show it";
  RecordPtr got;
  cache_.get({"default", "example.com"}, [&](RecordPtr r) { got = r; });
  EXPECT_FALSE(got);
  dns_.pump();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->hosts.at(0).name, "new-mx.example.com");
}

TEST_F(DomainRecordCacheTest, RefreshOfAnUnknownDomainDoesNothing) {
  EXPECT_EQ(cache_.refresh("never.example"), 0u);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(DomainRecordCacheTest, RefreshAllRebuildsEveryRecord) {
  auto a = get("example.com");
  auto b = get("other.example");
  EXPECT_EQ(cache_.refresh_all(), 2u);
  dns_.pump();
  EXPECT_NE(cache_.find({"default", "example.com"}), a);
  EXPECT_NE(cache_.find({"default", "other.example"}), b);
  EXPECT_EQ(dns_.asked("example.com", RecordType::MX), 2);
}

TEST_F(DomainRecordCacheTest, RefreshDuringABuildSupersedesItAndWaitersGetTheNewRecord) {
  RecordPtr got;
  int calls = 0;
  cache_.get({"default", "example.com"}, [&](RecordPtr r) {
    got = r;
    ++calls;
  });
  config_.routes = routes({"192.0.2.200"});
  EXPECT_EQ(cache_.refresh("example.com"), 1u);
  dns_.pump();  // the first build's answers arrive too, and are ignored
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->hosts.at(0).name, "192.0.2.200");
}

TEST_F(DomainRecordCacheTest, DnsFailureCountIsCarriedUntilPurge) {
  dns_.status("flaky.example", RecordType::MX, Status::ServFail);
  config_.dns_failures_to_purge = 3;
  auto first = get("flaky.example");
  EXPECT_FALSE(first->failure->permanent);
  clock_.advance(std::chrono::seconds(first->ttl));
  auto second = get("flaky.example");
  EXPECT_FALSE(second->failure->permanent);
  EXPECT_EQ(second->dns_failures, 2u);
  clock_.advance(std::chrono::seconds(second->ttl));
  auto third = get("flaky.example");
  EXPECT_TRUE(third->failure->permanent);
  EXPECT_EQ(third->failure->text, kDomainLookupFailedText);
}

TEST_F(DomainRecordCacheTest, EvictExpiredDropsOnlyStaleIdleRecords) {
  dns_.status("flaky.example", RecordType::MX, Status::ServFail);
  get("example.com");
  get("flaky.example");
  clock_.advance(3600s);
  EXPECT_EQ(cache_.evict_expired(), 1u) << "the failure count of flaky.example is kept";
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(cache_.last({"default", "example.com"}), nullptr);
}

TEST_F(DomainRecordCacheTest, RecordsListsTheLastRecordOfEveryKey) {
  get("example.com", "b2");
  get("example.com", "b1");
  auto all = cache_.records();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->key.binding, "b1");
  EXPECT_EQ(all[1]->key.binding, "b2");
}

TEST_F(DomainRecordCacheTest, CallbackMayReenterTheCache) {
  RecordPtr inner;
  cache_.get({"default", "example.com"}, [&](RecordPtr) {
    cache_.get({"default", "example.com"}, [&](RecordPtr r) { inner = r; });
  });
  dns_.pump();
  EXPECT_TRUE(inner);
}

}  // namespace
}  // namespace impulse::routing
