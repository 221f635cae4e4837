#include "routing/domain_record.hpp"

#include <chrono>

namespace impulse::routing {

std::uint32_t DomainRecord::remaining_ttl(SteadyTime now) const {
  if (now >= expires_at) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(expires_at - now).count();
  return static_cast<std::uint32_t>(left);
}

const RouteHost* DomainRecord::host(std::string_view name) const {
  for (const auto& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

}  // namespace impulse::routing
