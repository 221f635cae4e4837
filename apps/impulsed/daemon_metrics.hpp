// DaemonMetrics: the daemon's one metrics registry (base/metrics.hpp) and
// the hooks registered in it at start-up: the connection manager's
// (delivery/delivery_metrics.hpp: deliveries per method and outcome, open
// sessions per method) and the spool's synced-write histogram
// (impulse_spool_commit_seconds, handed to RocksDbStoreOptions). The HTTP
// listener's /metrics (inbound/http/metrics_routes.hpp) reads the registry.
// Owned by the Daemon, so it outlives every component that updates it.
// Thread-safe (atomics); built on the main thread before any loop runs.
#pragma once

#include "base/metrics.hpp"
#include "delivery/delivery_metrics.hpp"

namespace impulse::daemon {

struct DaemonMetrics {
  metrics::Registry registry;
  delivery::DeliveryMetrics delivery{registry};
  metrics::Histogram& spool_commit_seconds =
      registry.histogram("impulse_spool_commit_seconds", "Seconds of one synced spool write (a group-commit batch).",
                         metrics::latency_buckets());
};

}  // namespace impulse::daemon
