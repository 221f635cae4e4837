// Outbound_Throttle_Messages / Outbound_Throttle_Connections: token buckets,
// "N" = N per second, "N/S" = N per S seconds, a full bucket holding N
// tokens (SPEC §3; reference/momentum.md §1.4 "shared by reference", §5).
//
// TokenBucket is a GCRA in integer nanoseconds (no float drift): exactly N
// takes succeed in any window of S seconds after the bucket has refilled,
// and next_token_at() tells the scheduler when to try again.
// ThrottleRegistry hands out one bucket per (kind, owner scope): every scope
// that falls back to the same owner gets the same bucket. A changed rate for
// the same owner (config reload) replaces that bucket.
//
// Time comes from the caller (a Clock's now()). Thread-safe: a bucket owned
// by a global or binding_group scope is shared by queues on every event
// loop, so buckets and the registry lock internally (one short critical
// section per call). A rate of 0 or less means unlimited: no bucket.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/clock.hpp"
#include "config/config.hpp"

namespace impulse::routing {

class TokenBucket {
 public:
  // Precondition: rate.count > 0 and rate.per_seconds > 0.
  TokenBucket(config::RateSpec rate, SteadyTime now);

  // Takes one token if one is available at `now`.
  bool try_take(SteadyTime now);
  // When the next token is available: `now` if one is available already.
  SteadyTime next_token_at(SteadyTime now) const;
  std::chrono::nanoseconds time_until_token(SteadyTime now) const { return next_token_at(now) - now; }

  const config::RateSpec& rate() const { return rate_; }

 private:
  mutable std::mutex mutex_;
  const config::RateSpec rate_;
  std::chrono::nanoseconds interval_;   // S/N: one token's worth of time
  std::chrono::nanoseconds tolerance_;  // (N-1)*interval: the burst allowance
  SteadyTime theoretical_arrival_;      // GCRA's TAT
};

enum class ThrottleKind { Messages, Connections };

class ThrottleRegistry {
 public:
  explicit ThrottleRegistry(const Clock& clock) : clock_(clock) {}

  // The bucket `owner` (the scope that set the option) holds for `kind`, or
  // nullptr for an unlimited rate.
  std::shared_ptr<TokenBucket> bucket(ThrottleKind kind, const config::ScopeId& owner, const config::RateSpec& rate);

  std::size_t size() const;

 private:
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::pair<ThrottleKind, config::ScopeId>, std::shared_ptr<TokenBucket>> buckets_;
};

}  // namespace impulse::routing
