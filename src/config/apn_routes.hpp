// The retired APNs binary-protocol hosts (SPEC §12; reference/protocols.md
// §4b): a route to gateway.push.apple.com or gateway.sandbox.push.apple.com
// on port 2195 (seed 000's example) is taken as the HTTP/2 provider API,
// api.push.apple.com or api.sandbox.push.apple.com on port 443. Used by
// routing (the rewrite: routing/route_plan.cpp) and by the configuration
// check (the warning: config/apn_checks.cpp), so both agree.
// Pure; no state. Failure modes: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace impulse::config {

struct ApnRouteRewrite {
  std::string host;  // "api.push.apple.com" / "api.sandbox.push.apple.com"
  std::uint16_t port = 443;
};

// The HTTP/2 host and port for a retired host:2195 (host compared without
// case and trailing dot), else nullopt: any other host is used as written.
std::optional<ApnRouteRewrite> retired_apn_route(std::string_view host, std::optional<std::uint16_t> port);

}  // namespace impulse::config
