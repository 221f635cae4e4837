// The effective routing options of one (binding, domain), as plain values:
// everything route expansion and the domain record builder need, taken from
// the configuration at build time (SPEC §3; reference/momentum.md §2).
// routing_inputs.hpp fills it from a config::Config; tests fill it by hand.
// A value type with no behaviour; copy it freely.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/net.hpp"
#include "config/route_item.hpp"
#include "routing/delivery_method.hpp"

namespace impulse::routing {

struct RouteInputs {
  DeliveryMethod method = DeliveryMethod::Esmtp;
  // Effective `Routes` (empty = not set). Ignored for ECSTREAM.
  std::vector<config::RouteItem> routes;
  // Effective `Gateway`. Used when `routes` is empty, and always for ECSTREAM.
  std::optional<config::Endpoint> gateway;
  MethodPorts ports;                          // Remote_SMTP_Port, LMTP_Port, ECStream_Port
  std::vector<config::Cidr> prohibited_hosts;  // any match fails the domain permanently
  std::vector<config::Cidr> skip_hosts;        // matching addresses are dropped
  bool use_ipv6 = false;                       // ask AAAA for MX/route hosts
  bool prefer_ipv6_mxs = false;                // a host's IPv6 addresses before its IPv4 ones
  std::uint32_t min_dns_ttl = 0;               // seconds
  std::uint32_t max_dns_ttl = 4294967295u;     // seconds
  std::uint32_t dns_failures_to_purge = 10;    // 0 = never purge
};

}  // namespace impulse::routing
