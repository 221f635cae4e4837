#include "routing/routing_inputs.hpp"

#include <algorithm>
#include <limits>

#include "base/strings.hpp"
#include "config/net.hpp"
#include "config/route_item.hpp"

namespace impulse::routing {
namespace {

const config::OptionValue& value_of(const config::Config& config, const config::OutboundKey& key,
                                    std::string_view option) {
  return *config.resolve(key, option).value;
}

std::uint16_t port_of(const config::Config& config, const config::OutboundKey& key, std::string_view option) {
  return static_cast<std::uint16_t>(std::clamp<std::int64_t>(value_of(config, key, option).as_int(), 0, 65535));
}

std::uint32_t u32(std::int64_t v) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, std::numeric_limits<std::uint32_t>::max()));
}

std::vector<config::Cidr> cidrs(const config::OptionValue& value) {
  std::vector<config::Cidr> out;
  for (const auto& text : value.as_list()) {
    if (auto cidr = config::parse_cidr(text)) out.push_back(*cidr);
  }
  return out;
}

bool has_segment(std::string_view owner, std::string_view keyword) {
  // A segment starts the id or follows a '/', and reads "keyword:name".
  const std::string head = std::string(keyword) + ":";
  if (istarts_with(owner, head)) return true;
  return to_lower(owner).find("/" + head) != std::string::npos;
}

}  // namespace

int outbound_scope_rank(std::string_view owner) {
  if (owner == "default") return 8;
  if (owner == "global") return 7;
  const bool group = has_segment(owner, "binding_group");
  const bool binding = has_segment(owner, "binding");
  const bool domain = has_segment(owner, "domain");
  if (domain && binding) return 1;  // [binding_group::]binding::domain
  if (domain && group) return 3;    // binding_group::domain
  if (binding) return 4;
  if (group) return 5;
  if (domain) return 6;             // global domain
  return 7;
}

RouteInputs route_inputs_from_config(const config::Config& config, const config::OutboundKey& key) {
  RouteInputs in;
  if (auto method = parse_delivery_method(value_of(config, key, "delivery_method").as_string())) in.method = *method;

  const auto routes = config.resolve(key, "routes");
  const auto gateway = config.resolve(key, "gateway");
  const bool routes_set = !routes.is_default() && !routes.value->as_list().empty();
  const bool gateway_set = !gateway.is_default() && !gateway.value->as_string().empty();
  const bool gateway_wins =
      gateway_set && routes_set && outbound_scope_rank(gateway.owner) < outbound_scope_rank(routes.owner);
  if (routes_set && !gateway_wins) {
    for (const auto& text : routes.value->as_list()) {
      if (auto item = config::parse_route_item(text)) in.routes.push_back(std::move(*item));
    }
  }
  if (gateway_set) {
    if (auto endpoint = config::parse_endpoint(gateway.value->as_string(), /*allow_unix=*/true)) in.gateway = std::move(*endpoint);
  }
  if (!in.routes.empty() && in.method != DeliveryMethod::Ecstream) {
    // Routes decide; a less specific Gateway is not used (it is kept for ECSTREAM only).
    in.gateway.reset();
  }

  in.ports.remote_smtp_port = port_of(config, key, "remote_smtp_port");
  in.ports.lmtp_port = port_of(config, key, "lmtp_port");
  in.ports.ecstream_port = port_of(config, key, "ecstream_port");
  in.prohibited_hosts = cidrs(config.global("prohibited_hosts"));
  in.skip_hosts = cidrs(config.global("skip_hosts"));
  in.use_ipv6 = config.global("use_ipv6").as_bool();
  in.prefer_ipv6_mxs = config.global("prefer_ipv6_mxs").as_bool();
  in.min_dns_ttl = u32(config.global("min_dns_ttl").as_int());
  in.max_dns_ttl = u32(config.global("max_dns_ttl").as_int());
  in.dns_failures_to_purge = u32(value_of(config, key, "dns_failures_to_purge").as_int());
  return in;
}

ConnectionPolicy connection_policy_from_config(const config::Config& config, const config::OutboundKey& key) {
  ConnectionPolicy policy;
  policy.max_outbound_connections = value_of(config, key, "max_outbound_connections").as_int();
  policy.server_max_outbound_connections = value_of(config, key, "server_max_outbound_connections").as_int();
  policy.host_failure_retry = std::chrono::seconds(value_of(config, key, "host_failure_retry").as_int());
  policy.mx_failures_to_delay = u32(value_of(config, key, "mx_failures_to_delay").as_int());
  policy.connect_timeout_to_delay = std::chrono::seconds(value_of(config, key, "connect_timeout_to_delay").as_int());
  if (auto a = parse_aggressiveness(value_of(config, key, "connection_allocation_aggressiveness").as_string())) {
    policy.aggressiveness = *a;
  }
  return policy;
}

ThrottleSpec throttle_from_config(const config::Config& config, const config::OutboundKey& key, ThrottleKind kind) {
  const auto resolved = config.resolve(
      key, kind == ThrottleKind::Messages ? "outbound_throttle_messages" : "outbound_throttle_connections");
  return ThrottleSpec{resolved.value->as_rate(), resolved.owner};
}

std::shared_ptr<TokenBucket> throttle_bucket(ThrottleRegistry& registry, const config::Config& config,
                                             const config::OutboundKey& key, ThrottleKind kind) {
  const auto spec = throttle_from_config(config, key, kind);
  if (!spec.limited()) return nullptr;
  return registry.bucket(kind, spec.owner, spec.rate);
}

std::shared_ptr<TokenBucket> host_throttle_bucket(ThrottleRegistry& registry, const config::Config& config,
                                                  std::string_view binding, std::string_view host, ThrottleKind kind) {
  const auto resolved = config.resolve_host(
      binding, host, kind == ThrottleKind::Messages ? "outbound_throttle_messages" : "outbound_throttle_connections");
  if (!resolved.value || resolved.is_default()) return nullptr;
  return registry.bucket(kind, resolved.owner, resolved.value->as_rate());
}

std::int64_t host_max_connections(const config::Config& config, std::string_view binding, std::string_view host) {
  const auto resolved = config.resolve_host(binding, host, "max_outbound_connections");
  return resolved.value ? resolved.value->as_int() : -1;
}

HostLimitFn host_limits_from_config(config::ConfigPtr config, std::string binding) {
  return [config = std::move(config), binding = std::move(binding)](std::string_view host) {
    return host_max_connections(*config, binding, host);
  };
}

}  // namespace impulse::routing
