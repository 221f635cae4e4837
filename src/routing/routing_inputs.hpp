// Glue from the configuration to routing: fills RouteInputs (for the domain
// record builder), ConnectionPolicy and the throttle specs (for the MX
// chooser and the throttle registry) for one (binding, domain), and the
// `Host "name"` connection limits, through config::Config::resolve() /
// resolve_host() / global() (SPEC §2 fallback order, §3; reference/
// momentum.md §1.4, §2, §5).
//
// Routes vs Gateway when both apply: the one set in the more specific scope
// of the outbound chain wins; at the same scope, Routes. ECSTREAM uses the
// Gateway only (route_plan.hpp). Values were validated when the Config was
// built, so re-parsing them cannot fail; an item that somehow does is left
// out rather than crashing delivery.
//
// Pure reads of an immutable snapshot: callable from any thread. Take the
// inputs at build time (the cache does) so a reload does not change records
// already built.
#pragma once

#include <string_view>

#include "config/config.hpp"
#include "routing/connection_policy.hpp"
#include "routing/route_inputs.hpp"
#include "routing/throttle.hpp"

namespace impulse::routing {

RouteInputs route_inputs_from_config(const config::Config& config, const config::OutboundKey& key);

ConnectionPolicy connection_policy_from_config(const config::Config& config, const config::OutboundKey& key);

// An Outbound_Throttle_* value and the scope that owns its bucket.
struct ThrottleSpec {
  config::RateSpec rate;   // count 0 = unlimited
  config::ScopeId owner;   // ThrottleRegistry key: equal owners share a bucket
  bool limited() const { return rate.count > 0; }
};

ThrottleSpec throttle_from_config(const config::Config& config, const config::OutboundKey& key, ThrottleKind kind);

// The bucket for (key, kind) from `registry`, or nullptr when unlimited.
std::shared_ptr<TokenBucket> throttle_bucket(ThrottleRegistry& registry, const config::Config& config,
                                             const config::OutboundKey& key, ThrottleKind kind);

// A `Host "name"` Outbound_Throttle_* bucket (its own chain, no fallback to
// the outbound chain; additive with the domain/binding bucket), or nullptr.
std::shared_ptr<TokenBucket> host_throttle_bucket(ThrottleRegistry& registry, const config::Config& config,
                                                  std::string_view binding, std::string_view host, ThrottleKind kind);

// `Host "name"` max_outbound_connections for a target host (-1 = unlimited;
// a Host stanza does not fall back to the outbound chain).
std::int64_t host_max_connections(const config::Config& config, std::string_view binding, std::string_view host);

// The same as a HostLimitFn for MxChooser; keeps `config` alive.
HostLimitFn host_limits_from_config(config::ConfigPtr config, std::string binding);

// Position of a scope in the outbound fallback chain (1 = most specific,
// binding::domain; 7 = global; 8 = built-in default), from its ScopeId.
int outbound_scope_rank(std::string_view owner);

}  // namespace impulse::routing
