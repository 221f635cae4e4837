// Implementation of delivery/connection_manager_view.hpp.
#include "delivery/connection_manager_view.hpp"

#include <fmt/format.h>

namespace impulse::delivery {

std::string format_domain_description(const DomainDescription& d) {
  std::string out;
  if (d.records.empty()) {
    out += fmt::format("Domain '{}' has no domain record\n", d.domain);
    return out;
  }
  for (const auto& r : d.records) {
    if (d.records.size() > 1 || r.binding != "default") out += fmt::format("Binding: {}\n", r.binding);
    out += fmt::format("Domain '{}' has {} MXs and a TTL of {} seconds\n", d.domain, r.hosts.size(), r.remaining_ttl);
    if (r.failure) out += fmt::format("Routing failure: {}\n", *r.failure);
    for (const auto& h : r.hosts) {
      out += fmt::format("[{} {} TTL:{}]\n", h.preference, h.name, h.ttl);
      for (const auto& a : h.addresses) {
        out += '\t';
        if (a.quarantined) out += "* ";
        out += fmt::format("[{}] {} ({} open, {} to host)", a.address, a.ipv6 ? "IPv6" : "IPv4", a.open_connections,
                           h.host_connections);
        if (a.since_failure_s) out += fmt::format(" {}s since failure", *a.since_failure_s);
        out += '\n';
      }
    }
    out += fmt::format("Domain has had {} consecutive connection failures\n", r.consecutive_failures);
    out += fmt::format("Active Connections: {}\n", r.active_connections);
    std::size_t i = 0;
    for (const auto& c : r.connections) {
      out += fmt::format("\t[{}] ID: {} IP: {} State: {}\n", i++, c.id, c.address, c.state);
    }
  }
  return out;
}

}  // namespace impulse::delivery
