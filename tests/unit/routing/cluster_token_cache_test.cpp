// ClusterTokenCache against a scripted backend: the first token waits for a
// batch, later batches follow the rate spent and are fetched before the
// tokens run out, expired tokens are not spent, denials and immediate
// (degraded) answers, a throttled key is not fetched ahead, and an answer
// that comes after the cache is gone is dropped.
#include "routing/cluster_token_cache.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace impulse::routing {
namespace {

using namespace std::chrono_literals;
using Time = ClusterTokenCache::Time;

struct Request {
  std::string key;
  std::int64_t wanted = 0;
  std::function<void(TokenBatch)> done;
};

class FakeBackend final : public ClusterLimits {
 public:
  ClusterAnswer acquire_connection(const std::string&, std::int64_t, std::function<void()>) override { return {}; }
  void release_connection(const std::string&, std::uint64_t) override {}
  ClusterAnswer take_token(const std::string&, const config::RateSpec&, std::function<void()>) override { return {}; }
  std::optional<TokenBatch> fetch_tokens(const std::string& key, const config::RateSpec&, std::int64_t wanted,
                                         std::function<void(TokenBatch)> done) override {
    if (immediate) return immediate;
    requests.push_back(Request{key, wanted, std::move(done)});
    return std::nullopt;
  }
  bool connected() const override { return true; }

  std::optional<TokenBatch> immediate;
  std::deque<Request> requests;
};

class ClusterTokenCacheTest : public ::testing::Test {
 protected:
  FakeBackend backend_;
  std::deque<std::function<void()>> posted_;  // what the cache asked to run on its loop
  std::unique_ptr<ClusterTokenCache> cache_ =
      std::make_unique<ClusterTokenCache>(backend_, [this](std::function<void()> f) { posted_.push_back(std::move(f)); });
  const config::RateSpec rate_{1000000, 1};
  Time now_ = std::chrono::steady_clock::now();

  // The backend answers the oldest request (on "its thread"), then the loop runs what was posted.
  void answer(std::int64_t tokens, std::chrono::milliseconds lasts = 100ms, Time retry_at = {}) {
    ASSERT_FALSE(backend_.requests.empty());
    Request r = std::move(backend_.requests.front());
    backend_.requests.pop_front();
    r.done(TokenBatch{tokens, now_ + lasts, retry_at});
    run_loop();
  }
  void run_loop() {
    while (!posted_.empty()) {
      auto f = std::move(posted_.front());
      posted_.pop_front();
      f();
    }
  }
  ClusterVerdict take() { return cache_->take("msg", rate_, now_).verdict; }
};

TEST_F(ClusterTokenCacheTest, TheFirstTokenWaitsForABatchAndWakesTheWaiter) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  ASSERT_EQ(backend_.requests.size(), 1u);
  EXPECT_EQ(backend_.requests.front().wanted, 1);
  int woken = 0;
  cache_->on_refill("msg", [&] { ++woken; });
  EXPECT_EQ(take(), ClusterVerdict::kWait);  // asked once, not per caller
  EXPECT_EQ(backend_.requests.size(), 1u);
  answer(1);
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(take(), ClusterVerdict::kGranted);
}

TEST_F(ClusterTokenCacheTest, BatchesFollowTheRateSpentAndComeBeforeTheTokensRunOut) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  answer(1);
  // 1000 tokens a second spent: one a millisecond.
  int waits = 0;
  std::int64_t biggest = 0;
  for (int i = 0; i < 2000; ++i) {
    now_ += 1ms;
    const auto v = take();
    if (v == ClusterVerdict::kWait) ++waits;
    EXPECT_NE(v, ClusterVerdict::kDenied);
    if (!backend_.requests.empty()) {
      biggest = std::max(biggest, backend_.requests.front().wanted);
      answer(backend_.requests.front().wanted);  // Redis answers within the millisecond
    }
  }
  // About kHorizon of the rate (50 ms at 1/ms) per batch, not one per token...
  EXPECT_GE(biggest, 40);
  EXPECT_LE(biggest, 200);
  EXPECT_LE(cache_->fetches(), 2000u / 20u);
  // ...and once it knows the rate, the next batch is there before the last token goes.
  EXPECT_LE(waits, 3);
}

TEST_F(ClusterTokenCacheTest, APrefetchIsAskedAtHalfTheBatchWhileTokensAreSpent) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  answer(1);
  now_ += 1ms;
  EXPECT_EQ(take(), ClusterVerdict::kGranted);  // the one token
  now_ += 1ms;
  EXPECT_EQ(take(), ClusterVerdict::kWait);  // ran dry: a bigger batch is asked
  ASSERT_EQ(backend_.requests.size(), 1u);
  answer(16);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(take(), ClusterVerdict::kGranted);
  EXPECT_EQ(backend_.requests.size(), 1u) << "half of 16 left: the next batch is asked now";
  EXPECT_EQ(cache_->held("msg", now_), 8);
  EXPECT_EQ(take(), ClusterVerdict::kGranted);  // still spending while it comes
}

TEST_F(ClusterTokenCacheTest, ExpiredTokensAreNotSpent) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  answer(3, 100ms);
  EXPECT_EQ(take(), ClusterVerdict::kGranted);
  now_ += 100ms;  // the batch's time is over
  EXPECT_EQ(cache_->held("msg", now_), 0);
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  EXPECT_EQ(backend_.requests.size(), 1u);
}

TEST_F(ClusterTokenCacheTest, ADenialIsKeptUntilItsRetryTime) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  answer(0, 0ms, now_ + 300ms);
  const auto a = cache_->take("msg", rate_, now_);
  EXPECT_EQ(a.verdict, ClusterVerdict::kDenied);
  EXPECT_EQ(a.retry_at, now_ + 300ms);
  EXPECT_TRUE(backend_.requests.empty());  // not asked again before then
  now_ += 300ms;
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  EXPECT_EQ(backend_.requests.size(), 1u);
}

TEST_F(ClusterTokenCacheTest, AnImmediateAnswerIsUsedAtOnce) {
  backend_.immediate = TokenBatch{1, now_ + 100ms, {}};
  EXPECT_EQ(take(), ClusterVerdict::kGranted);
  backend_.immediate = TokenBatch{0, {}, now_ + 1s};  // closed mode
  const auto a = cache_->take("msg", rate_, now_);
  EXPECT_EQ(a.verdict, ClusterVerdict::kDenied);
  EXPECT_EQ(a.retry_at, now_ + 1s);
}

TEST_F(ClusterTokenCacheTest, AThrottledKeyIsNotFetchedAhead) {
  // The backend grants one token at a time (a tight shared rate).
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(take(), ClusterVerdict::kWait);
    answer(1);
    EXPECT_EQ(take(), ClusterVerdict::kGranted);
    EXPECT_TRUE(backend_.requests.empty()) << "fetched ahead at round " << i;
    now_ += 100ms;
  }
}

TEST_F(ClusterTokenCacheTest, AnAnswerAfterTheCacheIsGoneIsDropped) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  int woken = 0;
  cache_->on_refill("msg", [&] { ++woken; });
  Request r = std::move(backend_.requests.front());
  cache_.reset();
  r.done(TokenBatch{5, now_ + 100ms, {}});
  run_loop();
  EXPECT_EQ(woken, 0);
}

TEST_F(ClusterTokenCacheTest, KeysAreIndependentAndARateChangeDropsTheOldTokens) {
  EXPECT_EQ(take(), ClusterVerdict::kWait);
  answer(5);
  EXPECT_EQ(cache_->take("other", rate_, now_).verdict, ClusterVerdict::kWait);
  EXPECT_EQ(take(), ClusterVerdict::kGranted);
  EXPECT_EQ(cache_->take("msg", config::RateSpec{10, 1}, now_).verdict, ClusterVerdict::kWait);
  EXPECT_EQ(cache_->held("msg", now_), 0);
}

}  // namespace
}  // namespace impulse::routing
