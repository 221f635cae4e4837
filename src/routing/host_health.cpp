#include "routing/host_health.hpp"

namespace impulse::routing {

void HostHealth::record_failure(const config::IpAddress& address, SteadyTime now) {
  std::lock_guard lock(mutex_);
  failures_[key(address)] = now;
}

void HostHealth::record_success(const config::IpAddress& address) {
  std::lock_guard lock(mutex_);
  failures_.erase(key(address));
}

bool HostHealth::quarantined(const config::IpAddress& address, SteadyTime now, std::chrono::seconds retry) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key(address));
  return it != failures_.end() && now < it->second + retry;
}

std::optional<SteadyTime> HostHealth::failed_at(const config::IpAddress& address) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key(address));
  if (it == failures_.end()) return std::nullopt;
  return it->second;
}

std::size_t HostHealth::purge(SteadyTime now, std::chrono::seconds retry) {
  std::lock_guard lock(mutex_);
  return std::erase_if(failures_, [&](const auto& item) { return now >= item.second + retry; });
}

std::size_t HostHealth::size() const {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

}  // namespace impulse::routing
