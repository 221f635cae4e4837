// Option table: routing (SPEC §3-4; reference/momentum.md §2.2-§2.7):
// delivery method and ports, routes and gateway, DNS and the domain record,
// host health and destination restrictions.
#include "config/registry.hpp"

namespace impulse::config {

std::vector<OptionDef> routing_options() {
  using namespace opt;
  using T = OptionType;
  constexpr auto kBindingGroupGlobal = ScopeKind::Global | ScopeKind::BindingGroup | ScopeKind::Binding;
  return {
      one_of("delivery_method", "esmtp", {"esmtp", "smtp", "lmtp", "ecstream", "apn", "gcm", "mm7"}, kOutbound),
      make("routes", T::RouteList, "", kDomainGlobal),
      make("gateway", T::EndpointOrUnix, "", kOutbound),  // also "unix:/path" (LMTP to a local socket)
      port("remote_smtp_port", "25", kOutbound),
      port("lmtp_port", "2003", kOutbound),
      port("ecstream_port", "1825", kOutbound),
      seconds("ecstream_timeout", "600", kOutbound),
      // DNS and the domain record.
      integer("mx_failures_fallback_to_a", "3", -1, std::numeric_limits<std::int32_t>::max(), kDomainGlobal),
      integer("dns_failures_to_purge", "10", 0, std::numeric_limits<std::int32_t>::max(), kDomainGlobal),
      boolean("fully_resolve_before_smtp", "true", kOutbound),
      seconds("min_dns_ttl", "0", kGlobal),
      seconds("max_dns_ttl", "4294967295", kGlobal),
      seconds("dns_expire_interval", "10", kGlobal),
      seconds("dns_cache_purge_interval", "60", kGlobal),
      boolean("dns_fallback_to_tcp", "false", kGlobal),
      path("resolv_conf", "/etc/resolv.conf", kGlobal),
      make("nameservers", T::NameserverList, "", kGlobal),  // Impulse extension (SPEC §2)
      seconds("dns_query_timeout", "20", kGlobal),           // Impulse extension: one DNS query's deadline
      boolean("use_ipv6", "false", kGlobal),
      boolean("prefer_ipv6_mxs", "false", kGlobal),
      // DANE (RFC 7672) and MTA-STS (RFC 8461), SPEC §19: use_* turns a
      // check on for a domain, enable_* (default true) can turn it off
      // for a binding; for MTA-STS both must be true, for DANE an
      // enable_dane set along the chain wins (use_dane's synonym:
      // delivery/smtp/dane_lookup.hpp dane_enabled).
      boolean("use_dane", "false", kDomainGlobal),
      boolean("enable_dane", "true", kOutbound),
      path("dnssec_trust_anchor_file", "/usr/share/dns/root.key", kGlobal),
      boolean("use_mta_sts", "false", kDomainGlobal),
      boolean("enable_mta_sts", "true", kOutbound),
      path("mta_sts_policy_store", "", kGlobal),  // "" = policies cached in memory only
      // Host health and moving dead domains aside.
      seconds("host_failure_retry", "120", kDomainGlobal),
      integer("mx_failures_to_delay", "50", 0, std::numeric_limits<std::int32_t>::max(), kDomainGlobal),
      seconds("connect_timeout_to_delay", "900", kOutbound),
      boolean("migrate_connections_between_sibling_domains", "true", kGlobal),
      boolean("only_use_best_mx_for_relay_domains", "true", kGlobal),
      // Destination restrictions.
      make("prohibited_hosts", T::CidrList, "", kGlobal),
      make("skip_hosts", T::CidrList, "", kGlobal),
      // Source address of a binding (restart-free in the summary table).
      make("bind_address", T::Address, "*", kBindingGroupGlobal),
  };
}

}  // namespace impulse::config
