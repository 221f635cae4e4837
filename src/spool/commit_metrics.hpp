// The spool's one metric (SPEC §16 "Metrics"): impulse_spool_commit_seconds,
// a histogram of the seconds each synced write (a group-commit batch) takes,
// with buckets from 100 us (a battery-backed cache) to 10 s (a disk that is
// failing). The family is built here so its name, HELP text and buckets live
// with the code that observes it (RocksDbStore, through
// RocksDbStoreOptions::commit_seconds).
//
// Where the metrics live: the registry is prometheus-cpp's
// (prometheus::Registry), one per daemon, owned by apps/impulsed
// (daemon_metrics.hpp). There is no Impulse wrapper around it: each library
// that updates a metric (spool here, delivery/delivery_metrics.hpp) builds
// its families on the registry it is handed and keeps pointers to the
// series; the HTTP listener reads the registry as a prometheus::Collectable
// (inbound/http/metrics_routes.hpp). prometheus-cpp's core is linked from
// spool, the lowest library with a metric, so base and config stay free of it.
//
// Threading: call at start-up, before the store runs. Observe() on the
// returned histogram is thread-safe (prometheus-cpp takes a short lock of
// its own per observation: once per synced batch, not per message).
// Failures: none expected (prometheus-cpp throws std::invalid_argument on a
// bad name, which would be a bug here). No I/O.
#pragma once

#include <vector>

namespace prometheus {
class Histogram;
class Registry;
}  // namespace prometheus

namespace impulse::spool {

// Upper bounds in seconds, ascending: 100 us .. 10 s.
std::vector<double> commit_seconds_buckets();

// Registers impulse_spool_commit_seconds (no labels) in `registry` and
// returns its one series; it lives as long as `registry`.
prometheus::Histogram& add_commit_seconds(prometheus::Registry& registry);

}  // namespace impulse::spool
