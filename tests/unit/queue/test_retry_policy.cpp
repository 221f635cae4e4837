// Tests for queue/retry_policy.hpp with explicit numbers: the back-off
// series, the cap, max_retries (including Momentum's documented example),
// never_retry, message_expiration and saturation.
#include "queue/retry_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "queue/outcome.hpp"

using namespace impulse::queue;
using impulse::WallTime;
using std::chrono::seconds;

namespace {

const WallTime kReceived{seconds(1'700'000'000)};

WallTime at(std::int64_t offset_seconds) { return kReceived + seconds(offset_seconds); }
std::int64_t offset(WallTime t) { return std::chrono::duration_cast<seconds>(t - kReceived).count(); }

// Simulates a message whose every attempt fails transiently and which is
// retried exactly when the policy says; returns each attempt's time and the
// final failure text.
std::vector<std::int64_t> run_until_permanent(const RetryOptions& o, std::string_view* failure,
                                              int max_attempts = 1000) {
  std::vector<std::int64_t> attempts;
  WallTime now = kReceived;
  for (std::int64_t retries = 0; retries < max_attempts; ++retries) {
    attempts.push_back(offset(now));
    RetryDecision d = decide_after_transient(o, retries, kReceived, now);
    if (!d.retry) {
      *failure = d.failure;
      return attempts;
    }
    EXPECT_EQ(d.retry_number, retries + 1);
    EXPECT_GE(d.next_attempt, now);
    now = d.next_attempt;
  }
  ADD_FAILURE() << "never failed permanently";
  return attempts;
}

}  // namespace

TEST(RetryPolicy, DefaultBackoffDoublesFrom1200AndCapsAt43200) {
  RetryOptions o;  // 1200 / 43200, the built-in defaults
  std::vector<std::int64_t> got;
  for (int n = 1; n <= 9; ++n) got.push_back(retry_delay(o, n).count());
  EXPECT_EQ(got, (std::vector<std::int64_t>{1200, 2400, 4800, 9600, 19200, 38400, 43200, 43200, 43200}));
}

TEST(RetryPolicy, RetryNumberBelowOneCountsAsFirst) {
  RetryOptions o;
  EXPECT_EQ(retry_delay(o, 0).count(), 1200);
  EXPECT_EQ(retry_delay(o, -5).count(), 1200);
}

TEST(RetryPolicy, NextAttemptIsNowPlusDelay) {
  RetryOptions o;
  o.retry_interval = seconds(300);
  o.max_retry_interval = seconds(3600);
  auto d = decide_after_transient(o, 2, kReceived, at(5000));  // third retry: 300 * 4
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.retry_number, 3);
  EXPECT_EQ(offset(d.next_attempt), 5000 + 1200);
  EXPECT_TRUE(d.failure.empty());
}

TEST(RetryPolicy, MomentumExampleCappedEvery20MinutesFailsAfterSixthAttempt) {
  // M4/config/ref-max-retries: interval 1200, max interval 1200, max_retries 5
  // => retried every 20 minutes, permanent failure after 6000 s.
  RetryOptions o;
  o.retry_interval = seconds(1200);
  o.max_retry_interval = seconds(1200);
  o.max_retries = MaxRetries::limit(5);
  std::string_view failure;
  auto attempts = run_until_permanent(o, &failure);
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{0, 1200, 2400, 3600, 4800, 6000}));
  EXPECT_EQ(attempts.size(), 6u) << "max_retries 5 = 6 attempts";
  EXPECT_EQ(failure, "554 5.4.7 [internal] exceeded max retries without delivery");
}

TEST(RetryPolicy, MomentumExampleWithoutCapSumsTo37200) {
  RetryOptions o;
  o.retry_interval = seconds(1200);
  o.max_retry_interval = seconds(43200);
  o.max_retries = MaxRetries::limit(5);
  std::string_view failure;
  auto attempts = run_until_permanent(o, &failure);
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{0, 1200, 3600, 8400, 18000, 37200}));
  EXPECT_EQ(failure, internal_reply::kExceededMaxRetries);
}

TEST(RetryPolicy, MaxRetriesBoundary) {
  RetryOptions o;
  o.max_retries = MaxRetries::limit(3);
  EXPECT_TRUE(decide_after_transient(o, 2, kReceived, at(10)).retry) << "3rd retry still allowed";
  auto d = decide_after_transient(o, 3, kReceived, at(10));
  EXPECT_FALSE(d.retry) << "attempt 4 (3 retries done) failing is final";
  EXPECT_EQ(d.failure, internal_reply::kExceededMaxRetries);
}

TEST(RetryPolicy, MaxRetriesZeroFailsFirstTransient) {
  RetryOptions o;
  o.max_retries = MaxRetries::limit(0);
  auto d = decide_after_transient(o, 0, kReceived, kReceived);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.failure, internal_reply::kExceededMaxRetries);
}

TEST(RetryPolicy, NeverRetryMakesFirstTransientPermanent) {
  RetryOptions o;
  o.never_retry = true;
  auto d = decide_after_transient(o, 0, kReceived, kReceived);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.failure, "554 5.4.7 [internal] exceeded max retries without delivery");
}

TEST(RetryPolicy, DefaultExpiryBouncesAtExactly86400) {
  // Defaults: attempts at 0 1200 3600 8400 18000 37200 75600; the next
  // (75600 + 43200) would be past expiry, so the last attempt is at 86400
  // and its failure is final.
  RetryOptions o;
  std::string_view failure;
  auto attempts = run_until_permanent(o, &failure);
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{0, 1200, 3600, 8400, 18000, 37200, 75600, 86400}));
  EXPECT_EQ(failure, "554 5.4.7 [internal] exceeded max time without delivery");
}

TEST(RetryPolicy, NoneAndAutoAreExpiryOnly) {
  for (auto mr : {MaxRetries::none(), MaxRetries::automatic()}) {
    RetryOptions o;
    o.retry_interval = seconds(60);
    o.max_retry_interval = seconds(60);
    o.message_expiration = seconds(600);
    o.max_retries = mr;
    std::string_view failure;
    auto attempts = run_until_permanent(o, &failure);
    EXPECT_EQ(attempts.size(), 11u);  // 0, 60, ..., 600
    EXPECT_EQ(attempts.back(), 600);
    EXPECT_EQ(failure, internal_reply::kExceededMaxTime);
  }
}

TEST(RetryPolicy, MaxRetriesAndExpiryWhicheverComesFirst) {
  RetryOptions o;
  o.retry_interval = seconds(100);
  o.max_retry_interval = seconds(100);
  o.message_expiration = seconds(250);
  o.max_retries = MaxRetries::limit(10);
  std::string_view failure;
  auto attempts = run_until_permanent(o, &failure);
  EXPECT_EQ(attempts, (std::vector<std::int64_t>{0, 100, 200, 250}));
  EXPECT_EQ(failure, internal_reply::kExceededMaxTime);
}

TEST(RetryPolicy, FailureAfterExpiryEvenWithoutEarlierSchedule) {
  RetryOptions o;
  auto d = decide_after_transient(o, 1, kReceived, at(86400));
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.failure, internal_reply::kExceededMaxTime);
  d = decide_after_transient(o, 1, kReceived, at(86399));
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(offset(d.next_attempt), 86400) << "clamped to the expiry instant";
}

TEST(RetryPolicy, NeverRetryBeatsExpiryText) {
  RetryOptions o;
  o.never_retry = true;
  EXPECT_EQ(decide_after_transient(o, 0, kReceived, at(100000)).failure, internal_reply::kExceededMaxRetries);
}

TEST(RetryPolicy, ExpiredPredicate) {
  RetryOptions o;
  o.message_expiration = seconds(3600);
  EXPECT_FALSE(expired(o, kReceived, at(3599)));
  EXPECT_TRUE(expired(o, kReceived, at(3600)));
  o.message_expiration = seconds(0);
  EXPECT_FALSE(expired(o, kReceived, at(1'000'000'000)));
}

TEST(RetryPolicy, ZeroExpirationMeansNoExpiry) {
  RetryOptions o;
  o.message_expiration = seconds(0);
  auto d = decide_after_transient(o, 50, kReceived, at(10'000'000));
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(offset(d.next_attempt), 10'000'000 + 43200);
}

TEST(RetryPolicy, ZeroOrNegativeIntervalRetriesImmediately) {
  RetryOptions o;
  o.retry_interval = seconds(0);
  EXPECT_EQ(retry_delay(o, 5).count(), 0);
  o.retry_interval = seconds(-10);
  EXPECT_EQ(retry_delay(o, 1).count(), 0);
  auto d = decide_after_transient(o, 0, kReceived, at(7));
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(offset(d.next_attempt), 7);
}

TEST(RetryPolicy, NoCapSaturatesInsteadOfOverflowing) {
  RetryOptions o;
  o.max_retry_interval = seconds(0);  // no cap
  o.message_expiration = seconds(0);
  EXPECT_EQ(retry_delay(o, 3).count(), 4800);
  auto huge = retry_delay(o, 1'000'000);
  EXPECT_GT(huge.count(), 0);
  auto d = decide_after_transient(o, 1'000'000, kReceived, kReceived);
  ASSERT_TRUE(d.retry);
  EXPECT_GT(d.next_attempt, kReceived);
}
