// Route expansion: turns the effective Routes / Gateway / Delivery_Method of a
// (binding, domain) into the list of targets to resolve, each with the
// preference rule and port its hosts will get (SPEC §3; seed 001 "Routing
// Mail", seed 003 "routes"; reference/momentum.md §2.2-2.4).
//
//   - ECSTREAM: the Gateway only (Routes are ignored); none = no valid hosts.
//   - Routes set: one target per item, in list order.
//   - else Gateway set: one target (the gateway host or literal).
//   - else: the domain's own MX set (a bracketed address-literal domain such
//     as "[192.0.2.1]" needs no lookup).
//   - A Gateway or route naming a Unix socket ("unix:/run/dovecot/lmtp")
//     is a Socket target: no lookup, no port, no IP address.
//
// Preference: an item with pref=P gives P to every host it expands to; an
// item without pref at 0-based index i gives 65536*i + (the MX preference the
// host came from, else 0). Port: route `port=` wins, then `host:port`, then
// the method's default port.
//
// Pure: no DNS, no clock. Resolving the targets is domain_record_builder's
// job; the only failure here is ECSTREAM without a Gateway (transient).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "config/net.hpp"
#include "config/route_item.hpp"
#include "routing/delivery_method.hpp"
#include "routing/route_inputs.hpp"
#include "routing/routing_failure.hpp"

namespace impulse::routing {

inline constexpr std::uint32_t kRouteTierSpan = 65536;

struct RouteTarget {
  enum class Kind {
    DomainMx,  // the domain's MX set: NODATA -> implicit MX (A/AAAA of the domain,
               // pref 0); null MX and NXDOMAIN fail the domain permanently
    Host,      // a route/gateway host: MX then A/AAAA, or A/AAAA only (type=a)
    Literal,   // an IP literal: no lookup
    Socket,    // a local stream socket: no lookup; `name` is its path
  };
  Kind kind = Kind::DomainMx;
  std::string name;  // DomainMx: the domain; Host: lower-case host name; Literal: the IP text;
                     // Socket: the socket path as written
  std::optional<config::IpAddress> ip;  // Literal only
  config::RouteItem::Lookup lookup = config::RouteItem::Lookup::Mx;
  std::size_t index = 0;               // position in the Routes list (0 for gateway/MX)
  std::optional<std::uint32_t> pref;   // explicit pref=
  std::uint16_t port = 25;             // 0 for a Socket
  std::optional<std::uint32_t> ttl;    // route ttl= (seconds)
  std::string scheme;                  // route URL scheme ("smtp", "apn", ...), may be empty
  std::string path;                    // route URL path ("/mmssend"), may be empty

  // The preference of a host expanded from this target; `mx_preference` is
  // the DNS MX preference that named the host (0 if none).
  std::uint32_t preference_for(std::uint32_t mx_preference) const;
};

struct RoutePlan {
  DeliveryMethod method = DeliveryMethod::Esmtp;
  std::vector<RouteTarget> targets;  // never empty
};

impulse::expected<RoutePlan, RoutingFailure> plan_routes(const RouteInputs& inputs, std::string_view domain);

// Lower-cases and drops one trailing dot: the form domain records are keyed by.
std::string normalize_domain(std::string_view domain);

}  // namespace impulse::routing
