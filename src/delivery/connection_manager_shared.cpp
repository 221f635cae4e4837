// Implementation of delivery/connection_manager_shared.hpp.
#include "delivery/connection_manager_shared.hpp"

#include <vector>

namespace impulse::delivery {

bool ConnectionManagerShared::acquire_server(std::int64_t server_max) {
  std::int64_t now = total_.load(std::memory_order_relaxed);
  do {
    if (server_max >= 0 && now >= server_max) return false;
  } while (!total_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed));
  return true;
}

void ConnectionManagerShared::add_host(std::string_view binding, std::string_view host, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  auto b = by_binding_.find(binding);
  if (b == by_binding_.end()) b = by_binding_.emplace(std::string(binding), BindingCounts{}).first;
  b->second.open += delta;
  auto h = b->second.by_host.find(host);
  if (h == b->second.by_host.end()) h = b->second.by_host.emplace(std::string(host), 0).first;
  h->second += delta;
  if (h->second <= 0) b->second.by_host.erase(h);
  if (b->second.open <= 0 && b->second.by_host.empty()) by_binding_.erase(b);
}

std::int64_t ConnectionManagerShared::host_open(std::string_view binding, std::string_view host) const {
  std::lock_guard lock(mutex_);
  auto b = by_binding_.find(binding);
  if (b == by_binding_.end()) return 0;
  auto h = b->second.by_host.find(host);
  return h == b->second.by_host.end() ? 0 : h->second;
}

std::int64_t ConnectionManagerShared::host_open_all(std::string_view host) const {
  std::lock_guard lock(mutex_);
  std::int64_t n = 0;
  for (const auto& [binding, counts] : by_binding_) {
    auto h = counts.by_host.find(host);
    if (h != counts.by_host.end()) n += h->second;
  }
  return n;
}

std::int64_t ConnectionManagerShared::binding_open(std::string_view binding) const {
  std::lock_guard lock(mutex_);
  auto b = by_binding_.find(binding);
  return b == by_binding_.end() ? 0 : b->second.open;
}

routing::HostHealth& ConnectionManagerShared::host_health(const std::string& binding) {
  std::lock_guard lock(mutex_);
  auto it = health_.find(binding);
  if (it == health_.end()) it = health_.emplace(binding, std::make_unique<routing::HostHealth>()).first;
  return *it->second;
}

std::size_t ConnectionManagerShared::purge_host_health(SteadyTime now, std::chrono::seconds horizon) {
  std::vector<routing::HostHealth*> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [binding, health] : health_) all.push_back(health.get());
  }
  std::size_t dropped = 0;
  for (auto* h : all) dropped += h->purge(now, horizon);
  return dropped;
}

}  // namespace impulse::delivery
