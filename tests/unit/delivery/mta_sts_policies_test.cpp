// delivery/smtp/mta_sts_policies.hpp and mta_sts_fetch.hpp's pure parts
// (RFC 8461 §3, §5; SPEC §19): what a TXT answer and an HTTPS response say;
// a policy fetched once and then served from memory for its TXT TTL;
// concurrent first deliveries share one fetch; a changed TXT id refetches;
// a failed fetch keeps an unexpired cached policy (and says so); no TXT and
// nothing cached is "no policy"; a policy stored on disk survives a restart.
// A table resolver posts its answers on the test's loop, a fake Fetch
// stands in for the HTTPS GET (the real exchange: tests/integration/
// test_mta_sts.py). Across loops (CrossLoopMtaStsTest): two io_contexts on
// two threads share one check in flight, each caller resumed on its own
// loop; a waiter's deadline (connect_timeout) ends its wait when the check
// hangs.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "delivery/smtp/mta_sts_fetch.hpp"
#include "delivery/smtp/mta_sts_policies.hpp"

namespace impulse::delivery::smtp {
namespace {

namespace asio = boost::asio;
using protocol::MtaStsMode;
using protocol::MtaStsPolicy;

dns::Answer txt_answer(std::vector<std::string> records, std::uint32_t ttl = 300) {
  dns::Answer a;
  a.status = dns::Status::Ok;
  a.ttl = ttl;
  a.txt = std::move(records);
  return a;
}

TEST(MtaStsTxt, OneStsRecordGivesItsId) {
  const MtaStsTxt t = mta_sts_txt_from_answer(txt_answer({"v=spf1 -all", "v=STSv1; id=20240101T000000;"}, 600));
  EXPECT_EQ(t.kind, MtaStsTxt::Kind::kRecord);
  EXPECT_EQ(t.id, "20240101T000000");
  EXPECT_EQ(t.ttl, 600u);
}

TEST(MtaStsTxt, NoneSeveralOrBrokenMeanNoPolicyAndFailuresAreFailures) {
  EXPECT_EQ(mta_sts_txt_from_answer(txt_answer({"v=spf1 -all"})).kind, MtaStsTxt::Kind::kAbsent);
  EXPECT_EQ(mta_sts_txt_from_answer(txt_answer({"v=STSv1; id=a", "v=STSv1; id=b"})).kind, MtaStsTxt::Kind::kAbsent);
  EXPECT_EQ(mta_sts_txt_from_answer(txt_answer({"v=STSv1; id=bad-id!"})).kind, MtaStsTxt::Kind::kAbsent);
  dns::Answer nx;
  nx.status = dns::Status::NxDomain;
  EXPECT_EQ(mta_sts_txt_from_answer(nx).kind, MtaStsTxt::Kind::kAbsent);
  dns::Answer fail;
  fail.status = dns::Status::ServFail;
  EXPECT_EQ(mta_sts_txt_from_answer(fail).kind, MtaStsTxt::Kind::kFailed);
  fail.status = dns::Status::Timeout;
  EXPECT_EQ(mta_sts_txt_from_answer(fail).kind, MtaStsTxt::Kind::kFailed);
}

http1::Http1Response response(int status, std::string type, std::string body) {
  http1::Http1Response r;
  r.status = status;
  if (!type.empty()) r.headers.emplace_back("content-type", std::move(type));
  r.body = std::move(body);
  return r;
}

constexpr const char* kEnforceBody = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400\r\n";

TEST(MtaStsResponse, OnlyA200TextPlainPolicyIsAccepted) {
  auto ok = mta_sts_policy_from_response(response(200, "text/plain; charset=utf-8", kEnforceBody));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->mode, MtaStsMode::kEnforce);
  EXPECT_EQ(ok->mx, std::vector<std::string>{"mx.example.com"});

  auto redirect = mta_sts_policy_from_response(response(301, "text/plain", kEnforceBody));
  ASSERT_FALSE(redirect);
  EXPECT_EQ(redirect.error(), "HTTP 301 (redirects are not followed)");
  auto html = mta_sts_policy_from_response(response(200, "text/html", kEnforceBody));
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error(), "content-type \"text/html\" is not text/plain");
  EXPECT_FALSE(mta_sts_policy_from_response(response(200, "text/plain", "version: STSv1\nmode: sometimes\n")));
  EXPECT_FALSE(mta_sts_policy_from_response(response(404, "text/plain", "")));
}

// Answers TXT questions from a table, posted on the loop like libunbound's callbacks.
class TableResolver final : public dns::Resolver {
 public:
  explicit TableResolver(asio::io_context& io) : io_(io) {}
  void set(const std::string& name, dns::Answer a) { table_[name] = std::move(a); }
  void query(const std::string& name, dns::RecordType, dns::AnswerHandler done) override {
    ++asked_[name];
    dns::Answer a;
    a.status = dns::Status::NxDomain;
    if (auto it = table_.find(name); it != table_.end()) a = it->second;
    asio::post(io_, [done = std::move(done), a] { done(a); });
  }
  int asked(const std::string& name) const { return asked_.count(name) ? asked_.at(name) : 0; }

 private:
  asio::io_context& io_;
  std::map<std::string, dns::Answer> table_;
  std::map<std::string, int> asked_;
};

class MtaStsPoliciesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("mta_sts_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    resolver_.set("_mta-sts.example.com", txt_answer({"v=STSv1; id=one"}));
    policies_ = make();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<MtaStsPolicies> make(std::size_t max_domains = MtaStsPolicies::kDefaultMaxDomains) {
    return std::make_shared<MtaStsPolicies>(
        [this] { return now_; },
        [this](std::string_view line) { problems_.emplace_back(line); },
        [this](dns::Resolver&, const MtaStsFetchOptions& options) -> asio::awaitable<MtaStsPolicyFetch> {
          ++fetched_;
          domains_.push_back(options.domain);
          asio::steady_timer delay(io_, std::chrono::milliseconds(5));  // others arrive meanwhile
          co_await delay.async_wait(asio::use_awaitable);
          if (!serve_) co_return impulse::unexpected<std::string>("connect: connection refused");
          co_return served_;
        },
        max_domains);
  }

  MtaStsQuery query(bool stored = false) {
    MtaStsQuery q;
    q.domain = "example.com";
    if (stored) q.store_dir = dir_.string();
    q.timeout = std::chrono::seconds(5);
    return q;
  }

  // Runs `n` concurrent policy() calls to completion; their answers.
  std::vector<std::optional<MtaStsPolicy>> ask(const std::shared_ptr<MtaStsPolicies>& policies,
                                               const MtaStsQuery& q, int n = 1) {
    std::vector<std::optional<MtaStsPolicy>> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          io_,
          [&, i]() -> asio::awaitable<void> {
            out[static_cast<std::size_t>(i)] = co_await policies->policy(resolver_, q);
          },
          asio::detached);
    }
    io_.restart();
    io_.run();
    return out;
  }

  asio::io_context io_;
  TableResolver resolver_{io_};
  std::filesystem::path dir_;
  std::int64_t now_ = 1'700'000'000;
  std::vector<std::string> problems_;
  int fetched_ = 0;
  std::vector<std::string> domains_;
  bool serve_ = true;
  MtaStsPolicy served_{MtaStsMode::kEnforce, 86400, {"mx.example.com"}};
  std::shared_ptr<MtaStsPolicies> policies_;
};

TEST_F(MtaStsPoliciesTest, ConcurrentFirstDeliveriesWaitForOneFetchThenMemoryServes) {
  const auto q = query();
  for (const auto& got : ask(policies_, q, 3)) {
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, served_);
  }
  EXPECT_EQ(fetched_, 1);
  EXPECT_EQ(domains_, std::vector<std::string>{"example.com"});
  EXPECT_EQ(policies_->fetches(), 1u);
  // Within the TXT's TTL: neither DNS nor HTTPS again.
  now_ += 200;
  ASSERT_TRUE(ask(policies_, q)[0]);
  EXPECT_EQ(fetched_, 1);
  EXPECT_EQ(resolver_.asked("_mta-sts.example.com"), 1);
  EXPECT_TRUE(problems_.empty());
}

TEST_F(MtaStsPoliciesTest, SameIdAfterTheTtlIsNotFetchedAgainButANewIdIs) {
  const auto q = query();
  ASSERT_TRUE(ask(policies_, q)[0]);
  now_ += 400;  // past the TXT TTL (300 s): TXT again, same id
  ASSERT_TRUE(ask(policies_, q)[0]);
  io_.restart();
  io_.run();  // the refresh ran in the background
  EXPECT_EQ(resolver_.asked("_mta-sts.example.com"), 2);
  EXPECT_EQ(fetched_, 1);

  resolver_.set("_mta-sts.example.com", txt_answer({"v=STSv1; id=two"}));
  served_.mode = MtaStsMode::kTesting;
  now_ += 400;
  auto during = ask(policies_, q)[0];  // the cached policy serves while the refetch runs
  ASSERT_TRUE(during);
  EXPECT_EQ(fetched_, 2);
  auto after = ask(policies_, q)[0];
  ASSERT_TRUE(after);
  EXPECT_EQ(after->mode, MtaStsMode::kTesting);
}

TEST_F(MtaStsPoliciesTest, NoTxtAndNothingCachedIsNoPolicyWithoutAFetch) {
  MtaStsQuery q = query();
  q.domain = "plain.example";
  EXPECT_FALSE(ask(policies_, q)[0]);
  EXPECT_EQ(fetched_, 0);
  EXPECT_EQ(resolver_.asked("_mta-sts.plain.example"), 1);
}

// A bounded memory: past max_domains the domains without a policy in force
// are forgotten first; a domain whose policy is in force stays and is served
// without a new TXT lookup or fetch.
TEST_F(MtaStsPoliciesTest, AtMostMaxDomainsAreRememberedAndPoliciesInForceAreKeptFirst) {
  auto small = make(3);
  ASSERT_TRUE(ask(small, query())[0]);  // example.com: a policy in force
  for (int i = 0; i < 6; ++i) {
    MtaStsQuery q = query();
    q.domain = "plain" + std::to_string(i) + ".example";  // no TXT: remembered with no policy
    EXPECT_FALSE(ask(small, q)[0]);
    EXPECT_LE(small->domains(), 3u);
  }
  ASSERT_TRUE(ask(small, query())[0]);
  EXPECT_EQ(fetched_, 1);
  EXPECT_EQ(resolver_.asked("_mta-sts.example.com"), 1);  // still cached: not even the TXT again
  EXPECT_EQ(resolver_.asked("_mta-sts.plain0.example"), 1);
  MtaStsQuery again = query();
  again.domain = "plain0.example";  // forgotten: checked again at its next use
  EXPECT_FALSE(ask(small, again)[0]);
  EXPECT_EQ(resolver_.asked("_mta-sts.plain0.example"), 2);
}

TEST_F(MtaStsPoliciesTest, AFailedFirstFetchMeansNoPolicyAndIsReported) {
  serve_ = false;
  EXPECT_FALSE(ask(policies_, query())[0]);
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0],
            "MTA-STS example.com: policy fetch failed: connect: connection refused; no policy: the configured tls "
            "applies");
}

TEST_F(MtaStsPoliciesTest, AStoredPolicySurvivesARestartAndAFailedRefetchKeepsIt) {
  const auto q = query(true);
  ASSERT_TRUE(ask(policies_, q)[0]);
  ASSERT_TRUE(std::filesystem::exists(dir_ / "example.com"));

  // A new daemon (nothing in memory), same id: the stored policy, no fetch.
  auto restarted = make();
  auto got = ask(restarted, q)[0];
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, served_);
  EXPECT_EQ(fetched_, 1);

  // Another restart, a new id, the policy host down: the stored policy still applies.
  resolver_.set("_mta-sts.example.com", txt_answer({"v=STSv1; id=two"}));
  serve_ = false;
  auto again = make();
  got = ask(again, q)[0];
  ASSERT_TRUE(got);
  EXPECT_EQ(got->mode, MtaStsMode::kEnforce);
  EXPECT_EQ(fetched_, 2);
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0],
            "MTA-STS example.com: policy fetch failed: connect: connection refused; the cached policy (mode "
            "enforce) stays in force");
  // Expired: no policy any more.
  now_ += 86400 + 1;
  EXPECT_FALSE(ask(again, q)[0]);
}

class CrossLoopMtaStsTest : public ::testing::Test {
 protected:
  struct Got {
    std::optional<MtaStsPolicy> policy;
    bool own_executor = false;  // resumed on the loop it asked from
  };

  void SetUp() override {
    for (auto* r : {&resolver_a_, &resolver_b_}) r->set("_mta-sts.example.com", txt_answer({"v=STSv1; id=one"}));
    policies_ = std::make_shared<MtaStsPolicies>(
        [] { return std::int64_t{1'700'000'000}; }, [](std::string_view) {},
        [this](dns::Resolver&, const MtaStsFetchOptions&) -> asio::awaitable<MtaStsPolicyFetch> {
          ++fetched_;
          on_loop_a_ = a_.get_executor().running_in_this_thread();
          in_flight_.set_value();
          co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));  // until open_gate()
          co_return MtaStsPolicy{MtaStsMode::kEnforce, 86400, {"mx.example.com"}};
        });
    threads_.emplace_back([this] { a_.run(); });
    threads_.emplace_back([this] { b_.run(); });
  }
  void TearDown() override {
    open_gate();
    guard_a_.reset();
    guard_b_.reset();
    for (auto& t : threads_) t.join();
  }
  void open_gate() {
    asio::post(a_, [this] { gate_.cancel(); });
  }

  std::future<Got> ask(asio::io_context& loop, TableResolver& resolver, std::chrono::milliseconds timeout) {
    auto promise = std::make_shared<std::promise<Got>>();
    auto got = promise->get_future();
    asio::co_spawn(
        loop,
        [this, &loop, &resolver, promise, timeout]() -> asio::awaitable<void> {
          MtaStsQuery q;
          q.domain = "example.com";
          q.timeout = timeout;
          Got g;
          g.policy = co_await policies_->policy(resolver, q);
          g.own_executor = loop.get_executor().running_in_this_thread();
          promise->set_value(std::move(g));
        },
        asio::detached);
    return got;
  }

  asio::io_context a_, b_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_a_{a_.get_executor()};
  asio::executor_work_guard<asio::io_context::executor_type> guard_b_{b_.get_executor()};
  TableResolver resolver_a_{a_}, resolver_b_{b_};
  asio::steady_timer gate_{a_, std::chrono::hours(1)};
  std::promise<void> in_flight_;
  std::atomic<int> fetched_{0};
  std::atomic<bool> on_loop_a_{false};
  std::shared_ptr<MtaStsPolicies> policies_;
  std::vector<std::thread> threads_;
};

TEST_F(CrossLoopMtaStsTest, CallersOnTwoLoopsShareOneFetchOnTheFirstCallersLoop) {
  auto first = ask(a_, resolver_a_, std::chrono::seconds(10));
  in_flight_.get_future().wait();
  auto second = ask(b_, resolver_b_, std::chrono::seconds(10));
  // The second caller is waiting (not fetching) until the gate opens.
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  open_gate();
  const Got a = first.get();
  const Got b = second.get();
  ASSERT_TRUE(a.policy && b.policy);
  EXPECT_EQ(b.policy->mode, MtaStsMode::kEnforce);
  EXPECT_TRUE(a.own_executor);
  EXPECT_TRUE(b.own_executor);
  EXPECT_EQ(fetched_.load(), 1);
  EXPECT_TRUE(on_loop_a_.load());
  EXPECT_EQ(policies_->fetches(), 1u);
}

TEST_F(CrossLoopMtaStsTest, AWaiterGivesUpAtItsDeadlineWhenTheFetchHangs) {
  auto first = ask(a_, resolver_a_, std::chrono::seconds(10));
  in_flight_.get_future().wait();
  const auto asked = std::chrono::steady_clock::now();
  auto second = ask(b_, resolver_b_, std::chrono::milliseconds(200));
  ASSERT_EQ(second.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const Got b = second.get();
  EXPECT_FALSE(b.policy);  // nothing in force: the configured tls
  EXPECT_TRUE(b.own_executor);
  EXPECT_GE(std::chrono::steady_clock::now() - asked, std::chrono::milliseconds(190));
  open_gate();
  EXPECT_TRUE(first.get().policy);
}

}  // namespace
}  // namespace impulse::delivery::smtp
