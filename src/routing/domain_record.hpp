// The domain record: for one (binding, domain), the target hosts with their
// preference, port, addresses and TTL, the record's own TTL, and - when no
// host is usable - the outcome for every recipient (SPEC §3 "domain record";
// reference/momentum.md §2.5 "route cache", §8.2 `domain NAME`).
//
// Built by domain_record_builder, shared by domain_record_cache as
// std::shared_ptr<const DomainRecord>: immutable once built, so any reader
// on any thread may keep one. Choosing where a connection goes is
// mx_chooser's job.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "config/net.hpp"
#include "routing/delivery_method.hpp"
#include "routing/routing_failure.hpp"

namespace impulse::routing {

// TTL of an entry that has neither a DNS TTL nor a route ttl= (SPEC §3).
inline constexpr std::uint32_t kDefaultRouteTtl = 300;
// TTL contributed by a lookup that failed with SERVFAIL or a timeout, so the
// failed part is asked again soon (before min/max_dns_ttl clamping).
inline constexpr std::uint32_t kDnsFailureRetryTtl = 60;

// (binding, domain): the queue a record belongs to. Domains are kept
// normalized (lower case, no trailing dot); binding names are case-sensitive.
struct RecordKey {
  std::string binding = "default";
  std::string domain;
  bool operator==(const RecordKey&) const = default;
  auto operator<=>(const RecordKey&) const = default;
};

struct RecordKeyHash {
  std::size_t operator()(const RecordKey& key) const {
    return std::hash<std::string>{}(key.binding) * 31u ^ std::hash<std::string>{}(key.domain);
  }
};

// A host to connect to: a name with IP addresses and a port, or a local
// stream socket (a Gateway/route "unix:/path"): then `socket_path` is set,
// `name` is the same path (the `Host "name"` key and the key of the
// quarantine), `addresses` is empty and `port` 0.
struct RouteHost {
  std::string name;           // as in the MX record or route (the `Host "name"` key); IP text for
                              // literals; the socket path for a socket
  std::uint32_t preference = 0;
  std::uint16_t port = 25;
  std::vector<config::IpAddress> addresses;  // connect order: resolver order, IPv4 first unless
                                             // prefer_ipv6_mxs; empty (and no socket) = unusable
  std::string socket_path;                   // non-empty: connect to this Unix socket instead
  std::uint32_t ttl = kDefaultRouteTtl;      // seconds, before clamping
  std::string scheme;                        // route URL scheme, may be empty
  std::string path;                          // route URL path, may be empty

  bool unix_socket() const { return !socket_path.empty(); }
  // Something to connect to: an address, or the socket.
  bool connectable() const { return unix_socket() || !addresses.empty(); }
};

struct DomainRecord {
  RecordKey key;
  DeliveryMethod method = DeliveryMethod::Esmtp;
  std::vector<RouteHost> hosts;  // ascending preference; equal preferences in random order
  std::uint32_t ttl = 0;         // seconds, clamped by min_dns_ttl/max_dns_ttl
  SteadyTime built_at{};
  SteadyTime expires_at{};
  std::optional<RoutingFailure> failure;  // set when no host can be used
  std::uint32_t dns_failures = 0;         // consecutive builds that failed on SERVFAIL/timeout

  bool usable() const { return !failure.has_value(); }
  bool expired(SteadyTime now) const { return now >= expires_at; }
  // Seconds left before expiry (0 once expired), for `domain NAME`.
  std::uint32_t remaining_ttl(SteadyTime now) const;
  // The host entry with this name (first match), or nullptr.
  const RouteHost* host(std::string_view name) const;
};

}  // namespace impulse::routing
