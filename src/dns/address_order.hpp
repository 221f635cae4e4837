// The order in which one target host's addresses are tried, from its A and
// AAAA answers and the global options `use_ipv6` (default false: AAAA
// records of MX and route hosts are not used, so not even asked for) and
// `prefer_ipv6_mxs` (default false: IPv4 first; true: IPv6 first). Inside
// each family the resolver's order is kept (RFC 5321 §5.1 "in the order
// presented"). IPv6 literals in Routes/Gateway bypass this (SPEC §10: they
// are always used); balancing across hosts of one preference is routing's
// job. Pure; no executor; cannot fail. reference/momentum.md §2.5.
#pragma once

#include <vector>

#include "config/net.hpp"

namespace impulse::dns {

struct AddressPolicy {
  bool use_ipv6 = false;         // `use_ipv6`
  bool prefer_ipv6_mxs = false;  // `prefer_ipv6_mxs`
};

// Whether a host's AAAA records should be looked up at all.
inline bool wants_aaaa(const AddressPolicy& policy) { return policy.use_ipv6; }

// `v4` and `v6` in resolver order (addresses of the other family in either
// list are sorted into their own family). Without use_ipv6 the result holds
// only the IPv4 addresses.
std::vector<config::IpAddress> order_addresses(const std::vector<config::IpAddress>& v4,
                                               const std::vector<config::IpAddress>& v6,
                                               const AddressPolicy& policy);

}  // namespace impulse::dns
