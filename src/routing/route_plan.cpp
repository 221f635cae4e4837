#include "routing/route_plan.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "config/apn_routes.hpp"

namespace impulse::routing {
namespace {

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 address literals).
std::optional<config::IpAddress> address_literal(std::string_view domain) {
  if (domain.size() < 3 || domain.front() != '[' || domain.back() != ']') return std::nullopt;
  std::string_view inner = domain.substr(1, domain.size() - 2);
  if (istarts_with(inner, "ipv6:")) inner.remove_prefix(5);
  return config::parse_ip(inner);
}

RouteTarget endpoint_target(const config::Endpoint& endpoint, const RouteInputs& inputs, std::string_view scheme) {
  RouteTarget target;
  if (endpoint.unix_socket) {
    target.kind = RouteTarget::Kind::Socket;
    target.name = endpoint.host;
    target.port = 0;
    return target;
  }
  if (endpoint.ip) {
    target.kind = RouteTarget::Kind::Literal;
    target.name = endpoint.host;
    target.ip = endpoint.ip;
  } else {
    target.kind = RouteTarget::Kind::Host;
    target.name = normalize_domain(endpoint.host);
  }
  target.port = endpoint.port.value_or(default_port(inputs.method, inputs.ports, scheme));
  return target;
}

RouteTarget domain_target(std::string_view domain, const RouteInputs& inputs) {
  RouteTarget target;
  target.name = normalize_domain(domain);
  if (auto ip = address_literal(target.name)) {
    target.kind = RouteTarget::Kind::Literal;
    target.ip = ip;
  } else {
    target.kind = RouteTarget::Kind::DomainMx;
  }
  target.port = default_port(inputs.method, inputs.ports);
  return target;
}

// SPEC §11: route hosts of HTTP-based methods are resolved A/AAAA only;
// SPEC §12: the retired APNs binary-protocol hosts mean the HTTP/2 API.
void http_route(RouteTarget& target, DeliveryMethod method) {
  if (target.kind != RouteTarget::Kind::Host) return;
  if (method != DeliveryMethod::Apn && method != DeliveryMethod::Gcm && method != DeliveryMethod::Mm7) return;
  target.lookup = config::RouteItem::Lookup::A;
  if (method != DeliveryMethod::Apn) return;
  if (auto rewrite = config::retired_apn_route(target.name, target.port)) {
    target.name = rewrite->host;
    target.port = rewrite->port;
  }
}

RouteTarget item_target(const config::RouteItem& item, std::size_t index, std::string_view domain,
                        const RouteInputs& inputs) {
  RouteTarget target;
  if (item.kind == config::RouteItem::Kind::Mx) {
    target = domain_target(domain, inputs);
  } else {
    target = endpoint_target(item.target, inputs, item.scheme);
    target.lookup = item.lookup;
  }
  target.index = index;
  target.pref = item.pref;
  target.ttl = item.ttl;
  target.scheme = item.scheme;
  target.path = item.path;
  if (item.port) target.port = *item.port;
  http_route(target, inputs.method);
  return target;
}

}  // namespace

std::uint32_t RouteTarget::preference_for(std::uint32_t mx_preference) const {
  if (pref) return *pref;
  const std::uint64_t value = static_cast<std::uint64_t>(kRouteTierSpan) * index + mx_preference;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(value, UINT32_MAX));
}

std::string normalize_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  return to_lower(domain);
}

impulse::expected<RoutePlan, RoutingFailure> plan_routes(const RouteInputs& inputs, std::string_view domain) {
  RoutePlan plan;
  plan.method = inputs.method;
  if (inputs.method == DeliveryMethod::Ecstream) {
    if (!inputs.gateway) return impulse::unexpected(transient_failure(protocol::internal_reply::kEcstreamNoGateway));
    plan.targets.push_back(endpoint_target(*inputs.gateway, inputs, {}));
    return plan;
  }
  if (!inputs.routes.empty()) {
    for (std::size_t i = 0; i < inputs.routes.size(); ++i) {
      plan.targets.push_back(item_target(inputs.routes[i], i, domain, inputs));
    }
    return plan;
  }
  if (inputs.gateway) {
    plan.targets.push_back(endpoint_target(*inputs.gateway, inputs, {}));
    http_route(plan.targets.back(), inputs.method);
    return plan;
  }
  plan.targets.push_back(domain_target(domain, inputs));
  return plan;
}

}  // namespace impulse::routing
