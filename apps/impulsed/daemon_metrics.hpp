// DaemonMetrics: the daemon's one metrics registry, prometheus-cpp's
// prometheus::Registry, and the hooks built in it at start-up: the
// connection manager's (delivery/delivery_metrics.hpp: deliveries per
// method and outcome, open sessions per method) and the spool's
// synced-write histogram (spool/commit_metrics.hpp:
// impulse_spool_commit_seconds, handed to RocksDbStoreOptions). The HTTP
// listener's /metrics (inbound/http/metrics_routes.hpp) reads the registry
// as a prometheus::Collectable and adds the families read at scrape time.
// Why no Impulse registry type: see spool/commit_metrics.hpp.
// Owned by the Daemon, so it outlives every component that updates it.
// Thread-safe (prometheus-cpp's atomics); built on the main thread before
// any loop runs. Failures: none (bad names would throw at start-up: a bug).
#pragma once

#include <prometheus/registry.h>

#include "delivery/delivery_metrics.hpp"
#include "spool/commit_metrics.hpp"

namespace impulse::daemon {

struct DaemonMetrics {
  prometheus::Registry registry;
  delivery::DeliveryMetrics delivery{registry};
  prometheus::Histogram& spool_commit_seconds = spool::add_commit_seconds(registry);
};

}  // namespace impulse::daemon
