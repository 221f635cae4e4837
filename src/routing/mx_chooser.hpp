// Where a (binding, domain) queue's next connection goes, or why none may be
// opened now (SPEC §3 "Choosing where the next connection goes", "Limits";
// seed 003 "routes"; reference/momentum.md §2.6):
//   1. Never a worse preference while a better-preference host is below its
//      limit and reachable (has an address that is not quarantined).
//   2. Among the best usable preference, the host with the fewest open
//      connections from this queue; ties at random. A host at its
//      `Host` max_outbound_connections is skipped. Not proportional to limits.
//   3. A host's addresses in record (resolver) order, skipping addresses
//      quarantined by Host_Failure_Retry. A Unix socket host has one
//      "address", its path, quarantined the same way.
//   4. No usable host: transient 421 4.4.0 "no MXs ... reached at this time".
//   5. Mx_Failures_To_Delay / Connect_Timeout_To_Delay: "delay the domain".
// Also: the queue's wanted connections (Connection_Allocation_Aggressiveness
// under Max_Outbound_Connections), Server_Max_Outbound_Connections, and the
// Outbound_Throttle_Connections bucket (a token is taken only when a target
// is returned).
//
// Pure decision over the state it is given; the caller owns the counts,
// HostHealth, DomainHealth and buckets, and opens the connection. Use on the
// queue's event loop (the RandomSource is not thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "config/net.hpp"
#include "routing/connection_policy.hpp"
#include "routing/domain_health.hpp"
#include "routing/domain_record.hpp"
#include "routing/host_health.hpp"
#include "routing/random_source.hpp"
#include "routing/routing_failure.hpp"
#include "routing/throttle.hpp"

namespace impulse::routing {

struct QueueLoad {
  std::size_t active_messages = 0;        // the queue's active messages (q)
  std::int64_t open_connections = 0;      // this queue's open connections
  std::int64_t server_open_connections = 0;  // every open outbound connection
  // This queue's open connections per host name (balancing, and host limits).
  std::map<std::string, std::int64_t, std::less<>> open_by_host;
  // Optional: open connections per host name across every queue of the
  // binding; when a host is listed here its Host limit is checked against
  // this count instead of the queue's own.
  std::map<std::string, std::int64_t, std::less<>> host_total_open;

  std::int64_t open_to(std::string_view host) const;
  std::int64_t total_to(std::string_view host) const;
};

struct ConnectTarget {
  std::string host;              // record name (the `Host "name"` key)
  config::IpAddress address;     // unused for a Unix socket
  std::uint16_t port = 25;       // 0 for a Unix socket
  std::uint32_t preference = 0;
  std::string scheme;            // route URL scheme, may be empty
  std::string path;              // route URL path, may be empty
  std::string socket_path;       // non-empty: connect to this Unix socket, not to address:port

  bool unix_socket() const { return !socket_path.empty(); }
  // The peer as logs and the console show it: the IP text, or the socket path.
  std::string address_text() const { return unix_socket() ? socket_path : address.str(); }
};

enum class ChoiceStatus {
  Connect,        // target is set
  RecordFailed,   // the record has a failure outcome (failure is set)
  AtQueueLimit,   // the queue has the connections it wants / may have
  AtServerLimit,  // Server_Max_Outbound_Connections reached
  HostsAtLimit,   // reachable hosts exist but all are at their Host limit
  Throttled,      // Outbound_Throttle_Connections: retry_at says when
  NoUsableHost,   // nothing reachable: failure is the transient 421
  DelayDomain,    // move the active queue to the delayed queue
};

struct Choice {
  ChoiceStatus status = ChoiceStatus::NoUsableHost;
  std::optional<ConnectTarget> target;
  std::optional<RoutingFailure> failure;
  SteadyTime retry_at{};
};

struct ChoiceContext {
  const DomainRecord& record;
  const QueueLoad& load;
  const ConnectionPolicy& policy;
  const HostLimitFn& host_limit;      // may be empty: every host unlimited
  const HostHealth& host_health;      // the binding's address quarantine
  const DomainHealth& domain_health;  // this queue's failure counts
  TokenBucket* connection_throttle;   // may be null: no throttle
  SteadyTime now;
};

class MxChooser {
 public:
  explicit MxChooser(RandomSource& random) : random_(random) {}
  Choice choose(const ChoiceContext& context);

 private:
  RandomSource& random_;
};

}  // namespace impulse::routing
