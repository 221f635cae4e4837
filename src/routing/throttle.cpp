#include "routing/throttle.hpp"

#include <algorithm>

namespace impulse::routing {
namespace {

std::chrono::nanoseconds interval_for(const config::RateSpec& rate) {
  using namespace std::chrono;
  const auto window = duration_cast<nanoseconds>(seconds(rate.per_seconds)).count();
  // Round up so the bucket never lets more than N through per S seconds.
  return nanoseconds((window + rate.count - 1) / rate.count);
}

}  // namespace

TokenBucket::TokenBucket(config::RateSpec rate, SteadyTime now)
    : rate_(rate),
      interval_(interval_for(rate)),
      tolerance_(interval_ * (rate.count - 1)),
      theoretical_arrival_(now) {}

bool TokenBucket::try_take(SteadyTime now) {
  std::lock_guard lock(mutex_);
  if (now + tolerance_ < theoretical_arrival_) return false;
  theoretical_arrival_ = std::max(theoretical_arrival_, now) + interval_;
  return true;
}

SteadyTime TokenBucket::next_token_at(SteadyTime now) const {
  std::lock_guard lock(mutex_);
  return std::max(now, theoretical_arrival_ - tolerance_);
}

std::shared_ptr<TokenBucket> ThrottleRegistry::bucket(ThrottleKind kind, const config::ScopeId& owner,
                                                      const config::RateSpec& rate) {
  if (rate.count <= 0 || rate.per_seconds <= 0) return nullptr;
  std::lock_guard lock(mutex_);
  auto& slot = buckets_[{kind, owner}];
  if (!slot || !(slot->rate() == rate)) slot = std::make_shared<TokenBucket>(rate, clock_.now());
  return slot;
}

std::size_t ThrottleRegistry::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace impulse::routing
