// lookup_host: one host name's addresses as a route host gets them (SPEC §3,
// §11 "resolved like a route host": A, and AAAA when use_ipv6 is set, never
// MX; ordered by address_order.hpp), through the loop's dns::Resolver
// (libunbound, honouring Nameservers), awaited by a coroutine, within a
// deadline of the caller's. An IP literal is returned as it is, unasked.
// For hosts that are not route targets but must be reached like one (the
// GCM service account's OAuth token_uri).
//
// Leaves to others: caching (libunbound's own; the callers keep nothing),
// Prohibited_Hosts / Skip_Hosts (route choice, routing/), connecting.
// Executor: call it on the resolver's own loop (dns::Resolver is not
// thread-safe; its callbacks come back there); A and AAAA are asked at once
// through dns/ask.hpp. The deadline is a timer of
// that loop; an answer arriving after it is dropped.
// Failure modes: an error text naming the host and why (nxdomain, no A
// record, servfail with the resolver's detail, timed out); never throws
// except allocation.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "config/net.hpp"
#include "dns/address_order.hpp"
#include "dns/resolver.hpp"

namespace impulse::dns {

// The addresses of `name` (at least one), in the order to try them.
boost::asio::awaitable<impulse::expected<std::vector<config::IpAddress>, std::string>> lookup_host(
    Resolver& resolver, std::string name, AddressPolicy policy, std::chrono::milliseconds deadline);

}  // namespace impulse::dns
