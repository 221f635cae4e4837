// The limits that decide whether and where a (binding, domain) queue opens
// its next connection, as plain values (SPEC §3 "Choosing where the next
// connection goes", "Limits"; reference/momentum.md §2.6, §5).
// routing_inputs.hpp fills it from the configuration; mx_chooser reads it.
// Per-host limits (`Host "name"` scope) are asked per host through a
// HostLimitFn because the hosts are only known once the record is built.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "routing/connection_allocation.hpp"

namespace impulse::routing {

struct ConnectionPolicy {
  std::int64_t max_outbound_connections = 32;            // per (binding, domain); -1 = unlimited
  std::int64_t server_max_outbound_connections = 20000;  // in total; -1 = unlimited
  std::chrono::seconds host_failure_retry{120};          // failed-address quarantine
  std::uint32_t mx_failures_to_delay = 50;               // 0 disables
  std::chrono::seconds connect_timeout_to_delay{900};    // 0 disables
  Aggressiveness aggressiveness = Aggressiveness::Normal;
};

// `Host "name"` max_outbound_connections for a target host; -1 = unlimited.
using HostLimitFn = std::function<std::int64_t(std::string_view host)>;

}  // namespace impulse::routing
