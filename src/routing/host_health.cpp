#include "routing/host_health.hpp"

#include <algorithm>

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
  if (auto h = held_.find(key(address)); h != held_.end() && now < h->second) return true;
  auto it = failures_.find(key(address));
  return it != failures_.end() && now < it->second + retry;
}

void HostHealth::hold(const config::IpAddress& address, SteadyTime until) {
  std::lock_guard lock(mutex_);
  auto& held = held_[key(address)];
  held = std::max(held, until);
}

std::optional<SteadyTime> HostHealth::failed_at(const config::IpAddress& address) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key(address));
  if (it == failures_.end()) return std::nullopt;
  return it->second;
}

void HostHealth::record_failure(std::string_view socket_path, SteadyTime now) {
  std::lock_guard lock(mutex_);
  auto it = socket_failures_.find(socket_path);
  if (it == socket_failures_.end()) {
    socket_failures_.emplace(std::string(socket_path), now);
  } else {
    it->second = now;
  }
}

void HostHealth::record_success(std::string_view socket_path) {
  std::lock_guard lock(mutex_);
  if (auto it = socket_failures_.find(socket_path); it != socket_failures_.end()) socket_failures_.erase(it);
}

bool HostHealth::quarantined(std::string_view socket_path, SteadyTime now, std::chrono::seconds retry) const {
  std::lock_guard lock(mutex_);
  if (auto h = socket_held_.find(socket_path); h != socket_held_.end() && now < h->second) return true;
  auto it = socket_failures_.find(socket_path);
  return it != socket_failures_.end() && now < it->second + retry;
}

void HostHealth::hold(std::string_view socket_path, SteadyTime until) {
  std::lock_guard lock(mutex_);
  auto it = socket_held_.find(socket_path);
  if (it == socket_held_.end()) {
    socket_held_.emplace(std::string(socket_path), until);
  } else {
    it->second = std::max(it->second, until);
  }
}

std::optional<SteadyTime> HostHealth::failed_at(std::string_view socket_path) const {
  std::lock_guard lock(mutex_);
  auto it = socket_failures_.find(socket_path);
  if (it == socket_failures_.end()) return std::nullopt;
  return it->second;
}

std::size_t HostHealth::purge(SteadyTime now, std::chrono::seconds retry) {
  std::lock_guard lock(mutex_);
  auto old = [&](const auto& item) { return now >= item.second + retry; };
  auto over = [&](const auto& item) { return now >= item.second; };
  std::erase_if(held_, over);
  std::erase_if(socket_held_, over);
  return std::erase_if(failures_, old) + std::erase_if(socket_failures_, old);
}

std::size_t HostHealth::size() const {
  std::lock_guard lock(mutex_);
  return failures_.size() + socket_failures_.size();
}

}  // namespace impulse::routing
