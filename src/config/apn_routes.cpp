// Implementation of config/apn_routes.hpp.
#include "config/apn_routes.hpp"

#include "base/strings.hpp"

namespace impulse::config {

std::optional<ApnRouteRewrite> retired_apn_route(std::string_view host, std::optional<std::uint16_t> port) {
  if (port != std::uint16_t{2195}) return std::nullopt;
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (iequals(host, "gateway.push.apple.com")) return ApnRouteRewrite{"api.push.apple.com", 443};
  if (iequals(host, "gateway.sandbox.push.apple.com")) return ApnRouteRewrite{"api.sandbox.push.apple.com", 443};
  return std::nullopt;
}

}  // namespace impulse::config
