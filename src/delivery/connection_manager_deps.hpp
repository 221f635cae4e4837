// What a ConnectionManager is built from (connection_manager.hpp): the event
// loops it serves (the Scheduler's), the clock, the live configuration, how
// each loop gets its resolver, which transport delivers each
// Delivery_Method, where diagnostics go, and the seams tests use (random
// seed, take batch).
//
// Leaves to others: everything it names. Plain values and callables, no
// Asio (the daemon includes this). The callables must be thread-safe:
// `config` and `problem` are called from every loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/delivery_loop_resolver.hpp"
#include "delivery/transport.hpp"
#include "routing/cluster_limits.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::delivery {

class DeliveryMetrics;  // delivery/delivery_metrics.hpp

struct ConnectionManagerDeps {
  std::vector<boost::asio::io_context*> loops;  // the Scheduler's loops, each run by one thread
  const Clock& clock;                           // decisions: quarantine, health, TTLs, throttles
  std::function<config::ConfigPtr()> config;    // the live snapshot, read per decision (never null)
  ResolverFactory resolver;                     // one resolver per loop (unbound_resolver_factory)
  std::function<void(std::string_view)> problem;  // paniclog lines (may be empty)
  // Transport per Delivery_Method; empty = default_transports() (ESMTP,
  // SMTP, LMTP). A method without a transport fails transiently (451 4.3.5).
  std::optional<TransportRegistry> transports;
  std::optional<std::uint64_t> random_seed;     // empty = from entropy (tests fix it)
  std::size_t take_batch = 4;                   // messages a connection takes per take()
  // Counters for /metrics (deliveries per method and outcome, open
  // connections per method); null = none. Outlives the manager.
  DeliveryMetrics* metrics = nullptr;
  // Limits shared by the fleet (Cluster stanza, SPEC §18; cluster/redis_limits.hpp);
  // null = no cluster: the Cluster_* options are not enforced. Outlives the manager.
  routing::ClusterLimits* cluster = nullptr;
};

}  // namespace impulse::delivery
