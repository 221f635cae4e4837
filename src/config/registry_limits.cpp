// Option table: connection limits and throttles (SPEC §3 "Limits";
// reference/momentum.md §2.6 and §5). Throttles are token buckets owned by
// the scope that sets them (config.hpp, Resolved::owner).
#include "config/registry.hpp"

namespace impulse::config {

std::vector<OptionDef> limit_options() {
  using namespace opt;
  using T = OptionType;
  constexpr auto kInt32Max = std::numeric_limits<std::int32_t>::max();
  constexpr ScopeSet kOutboundHost = kOutbound | ScopeKind::Host;
  constexpr ScopeSet kServerScopes = ScopeKind::Global | ScopeKind::BindingGroup | ScopeKind::Binding;
  auto moc = integer("max_outbound_connections", "32", -1, kInt32Max, kOutboundHost);
  moc.host_default_text = "-1";  // a Host stanza without it: unlimited, no fallback
  return {
      moc,
      integer("scope_max_outbound_connections", "-1", -1, kInt32Max, kOutboundHost),
      integer("server_max_outbound_connections", "20000", 0, kInt32Max, kServerScopes),
      integer("server_reserve_outbound_connections", "200", 0, kInt32Max, kGlobal),
      make("outbound_throttle_messages", T::Throttle, "", kOutboundHost),
      make("outbound_throttle_connections", T::Throttle, "", kOutboundHost),
      // SPEC §18: the same limits shared by every node through Redis.
      integer("cluster_max_outbound_connections", "-1", -1, kInt32Max, kOutboundHost),
      make("cluster_outbound_throttle_messages", T::Throttle, "", kOutboundHost),
      make("cluster_outbound_throttle_connections", T::Throttle, "", kOutboundHost),
      // The `Cluster { }` stanza's own options (valid only there).
      restart_only(in_modules(text("redis", "", 0), {"cluster"})),
      restart_only(in_modules(text("node_name", "", 0), {"cluster"})),
      restart_only(in_modules(integer("cluster_lease_time", "30", 3, 86400, 0), {"cluster"})),
      restart_only(in_modules(one_of("cluster_redis_failure", "local_share", {"local_share", "closed"}, 0), {"cluster"})),
      restart_only(in_modules(integer("cluster_expected_nodes", "2", 1, 10000, 0), {"cluster"})),
      one_of("connection_allocation_aggressiveness", "normal", {"normal", "high"}, kOutbound),
      integer("max_deliveries_per_connection", "0", 0, kInt32Max, kOutbound),
      integer("max_recipients_per_batch", "100", 1, kInt32Max, kOutbound),
      integer("max_recipients_per_connection", "0", 0, kInt32Max, kOutbound | kEsmtpListener),
      boolean("suspend_delivery", "false", kOutbound),
      size("tcp_buffer_size", "32768", kGlobal),
      boolean("disable_nagle_algorithm", "false", kGlobal | kListeners | ScopeKind::Listen),
  };
}

}  // namespace impulse::config
