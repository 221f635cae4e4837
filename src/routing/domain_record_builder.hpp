// Builds one domain record: expands the routing inputs (route_plan.hpp), then
// resolves every target through dns::Resolver - MX first, then A (and AAAA
// when use_ipv6) of every exchange, all in parallel - and assembles hosts,
// preferences, ports, addresses and the TTL (SPEC §3; RFC 5321 §5.1;
// RFC 7505; reference/protocols.md §1.1).
//
// Rules applied here:
//   - MX answer: null MX -> permanent 550 5.4.4; NXDOMAIN -> permanent
//     554 5.4.4; NODATA -> the name itself is the implicit MX (pref 0);
//     SERVFAIL/timeout -> transient 451 4.4.3, counted across builds, and
//     permanent 554 5.4.4 once dns_failures_to_purge builds failed in a row.
//   - Addresses in resolver order; AAAA only when use_ipv6 (IPv6 literals in
//     Routes/Gateway always); Prohibited_Hosts match -> permanent 551 5.4.6;
//     Skip_Hosts addresses dropped; no usable host -> transient 454 4.4.4.
//   - TTL = min of the DNS answer TTLs and route ttl=, an entry with neither
//     counting 300 s, clamped by min_dns_ttl/max_dns_ttl.
//   - Equal preferences are shuffled with the injected RandomSource.
//   - A Unix socket target ("unix:/path") becomes a host with socket_path
//     and no addresses, without any lookup; Prohibited_Hosts/Skip_Hosts
//     (address blocks) do not apply to it.
//
// Threading: call build() on the resolver's executor; `done` runs there,
// exactly once, usually from a resolver callback (inline when no lookup is
// needed, e.g. IP literals only). The builder, resolver, clock and random
// source must outlive every build in flight. Taking RouteInputs by value at
// build time is what keeps a config reload from changing a built record.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "base/clock.hpp"
#include "dns/resolver.hpp"
#include "routing/domain_record.hpp"
#include "routing/random_source.hpp"
#include "routing/route_inputs.hpp"

namespace impulse::routing {

class DomainRecordBuilder {
 public:
  using Done = std::function<void(std::shared_ptr<const DomainRecord>)>;

  DomainRecordBuilder(dns::Resolver& resolver, const Clock& clock, RandomSource& random)
      : resolver_(resolver), clock_(clock), random_(random) {}

  // `previous_dns_failures`: consecutive DNS-failed builds of this key so far
  // (from the last record), for dns_failures_to_purge.
  void build(const RecordKey& key, const RouteInputs& inputs, std::uint32_t previous_dns_failures, Done done);

 private:
  dns::Resolver& resolver_;
  const Clock& clock_;
  RandomSource& random_;
};

}  // namespace impulse::routing
