// Retry policy: after a transient failure, when is the next attempt, or has
// the message run out of retries or time and must fail permanently?
// Pure: options, retry count, reception time and now in; a decision out.
//
// Rules (SPEC §5, §10; reference/momentum.md §7.2):
//   - The n-th retry (n = 1, 2, ...) waits retry_interval * 2^(n-1) seconds
//     after the failure, capped by max_retry_interval. Impulse applies the
//     cap whatever max_retries is (Momentum's page says it only matters when
//     max_retries is not auto; the SPEC states the cap unconditionally).
//     max_retry_interval <= 0 means no cap.
//   - never_retry: the first transient failure is permanent, with
//     "554 5.4.7 [internal] exceeded max retries without delivery".
//   - max_retries = N: N retries after the first attempt (N + 1 attempts);
//     a transient failure of attempt N + 1 is permanent with the same text.
//     N = 0 behaves like never_retry.
//   - max_retries = auto or none: no retry limit; only expiry applies.
//     (Momentum's auto derives a count from message_expiration with an
//     unpublished formula; Impulse treats it as expiry-only.)
//   - message_expiration: a transient failure at or after reception +
//     message_expiration is permanent with
//     "554 5.4.7 [internal] exceeded max time without delivery". A retry
//     that would fall after the expiry instant is scheduled at the expiry
//     instant instead, so the last attempt happens on time and a message
//     that keeps failing is bounced when it expires, not up to
//     max_retry_interval later. message_expiration <= 0 disables expiry.
//   - Before an attempt, expired() tells whether never_attempt_expired_messages
//     should fail it with "554 5.4.5 [internal] Delivery not attempted
//     (message expired)" instead.
//   - Checks run in this order: never_retry, max_retries, expiry.
//
// Leaves to others: the delayed queue and its scan (scheduler); suspend and
// manual flush/retry (console); bounces (protocol/dsn.hpp); the log lines.
// Threading: pure functions; safe from any thread.
// Failure modes: none; out-of-range inputs are clamped (negative intervals
// count as 0; shifts and sums saturate instead of overflowing).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "base/clock.hpp"

namespace impulse::queue {

struct MaxRetries {
  enum class Kind { kAuto, kNone, kCount };
  Kind kind = Kind::kAuto;
  std::int64_t count = 0;  // for kCount

  static MaxRetries automatic() { return {Kind::kAuto, 0}; }
  static MaxRetries none() { return {Kind::kNone, 0}; }
  static MaxRetries limit(std::int64_t n) { return {Kind::kCount, n}; }
  bool limited() const { return kind == Kind::kCount; }
};

struct RetryOptions {
  std::chrono::seconds retry_interval{1200};
  std::chrono::seconds max_retry_interval{43200};
  MaxRetries max_retries = MaxRetries::automatic();
  std::chrono::seconds message_expiration{86400};
  bool never_retry = false;
};

struct RetryDecision {
  bool retry = false;
  WallTime next_attempt{};    // when retry
  int retry_number = 0;       // when retry: which retry this will be (1 = first)
  std::string_view failure;   // when !retry: the permanent-failure reply (internal_reply::...)
};

// Delay before the n-th retry (n >= 1; n < 1 counts as 1).
std::chrono::seconds retry_delay(const RetryOptions& options, std::int64_t n);

// Decides after a transient failure. retries_done is the number of retries
// already made before the attempt that just failed (0 when the first attempt
// failed; the mainlog's "retries" field of that attempt).
RetryDecision decide_after_transient(const RetryOptions& options, std::int64_t retries_done, WallTime received,
                                     WallTime now);

// True when the message is past reception + message_expiration at now.
bool expired(const RetryOptions& options, WallTime received, WallTime now);

}  // namespace impulse::queue
