#include "routing/domain_health.hpp"

namespace impulse::routing {

void DomainHealth::record_failure(std::string_view host, SteadyTime now) {
  auto it = host_failures_.find(host);
  if (it == host_failures_.end()) it = host_failures_.emplace(std::string(host), 0).first;
  ++it->second;
  ++consecutive_;
  if (!unreachable_since_) unreachable_since_ = now;
}

void DomainHealth::record_success(std::string_view host) {
  auto it = host_failures_.find(host);
  if (it != host_failures_.end()) it->second = 0;
  consecutive_ = 0;
  unreachable_since_.reset();
}

bool DomainHealth::should_delay(const DomainRecord& record, SteadyTime now, std::uint32_t mx_failures_to_delay,
                                std::chrono::seconds connect_timeout_to_delay) const {
  if (connect_timeout_to_delay.count() > 0 && unreachable_since_ &&
      now - *unreachable_since_ >= connect_timeout_to_delay) {
    return true;
  }
  if (mx_failures_to_delay == 0) return false;
  bool any = false;
  for (const auto& host : record.hosts) {
    if (!host.connectable()) continue;  // addresses, or a Unix socket
    any = true;
    if (host_failures(host.name) < mx_failures_to_delay) return false;
  }
  return any;
}

void DomainHealth::reset() {
  host_failures_.clear();
  consecutive_ = 0;
  unreachable_since_.reset();
}

std::uint32_t DomainHealth::host_failures(std::string_view host) const {
  auto it = host_failures_.find(host);
  return it == host_failures_.end() ? 0 : it->second;
}

}  // namespace impulse::routing
