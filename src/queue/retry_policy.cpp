// Implementation of queue/retry_policy.hpp.
#include "queue/retry_policy.hpp"

#include <algorithm>
#include <limits>

#include "queue/outcome.hpp"

namespace impulse::queue {
namespace {

constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 4;  // far future, no overflow

WallTime add_saturating(WallTime t, std::chrono::seconds d) {
  using std::chrono::duration_cast;
  const auto limit = duration_cast<std::chrono::seconds>(WallTime::max() - t);
  if (d >= limit) return WallTime::max();
  return t + d;
}

}  // namespace

std::chrono::seconds retry_delay(const RetryOptions& options, std::int64_t n) {
  if (n < 1) n = 1;
  std::int64_t base = options.retry_interval.count();
  if (base <= 0) return std::chrono::seconds(0);
  std::int64_t delay = base;
  for (std::int64_t i = 1; i < n && delay < kMaxSeconds; ++i) delay = delay > kMaxSeconds / 2 ? kMaxSeconds : delay * 2;
  const std::int64_t cap = options.max_retry_interval.count();
  if (cap > 0 && delay > cap) delay = cap;
  return std::chrono::seconds(delay);
}

bool expired(const RetryOptions& options, WallTime received, WallTime now) {
  if (options.message_expiration.count() <= 0) return false;
  return now >= add_saturating(received, options.message_expiration);
}

RetryDecision decide_after_transient(const RetryOptions& options, std::int64_t retries_done, WallTime received,
                                     WallTime now) {
  if (retries_done < 0) retries_done = 0;
  RetryDecision d;
  if (options.never_retry) {
    d.failure = internal_reply::kExceededMaxRetries;
    return d;
  }
  if (options.max_retries.limited() && retries_done >= options.max_retries.count) {
    d.failure = internal_reply::kExceededMaxRetries;
    return d;
  }
  if (expired(options, received, now)) {
    d.failure = internal_reply::kExceededMaxTime;
    return d;
  }
  d.retry = true;
  d.retry_number = static_cast<int>(std::min<std::int64_t>(retries_done + 1, std::numeric_limits<int>::max()));
  d.next_attempt = add_saturating(now, retry_delay(options, retries_done + 1));
  if (options.message_expiration.count() > 0) {
    const WallTime expiry = add_saturating(received, options.message_expiration);
    if (d.next_attempt > expiry) d.next_attempt = expiry;
  }
  return d;
}

}  // namespace impulse::queue
