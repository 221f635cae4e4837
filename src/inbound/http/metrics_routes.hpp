// `GET /metrics` (SPEC §16 "Metrics"; Access::kApiKey): the daemon's
// metrics in the Prometheus text format 0.0.4, written by prometheus-cpp's
// TextSerializer (no exposition of our own). Two sources per scrape:
//
//   - the registry (a prometheus::Collectable: the daemon's
//     prometheus::Registry, apps/impulsed/daemon_metrics.hpp) with the
//     hooks' families: impulse_deliveries_total{method,outcome},
//     impulse_outbound_connections{method} (delivery/delivery_metrics.hpp),
//     impulse_spool_commit_seconds (spool/commit_metrics.hpp);
//   - the families read from the admin layer at scrape time
//     (inbound/http/metrics_scrape_families.hpp): received messages, queue
//     sizes, inbound sessions, uptime, build, and the per-domain series of
//     the `domain_series` largest non-empty queues.
//
// Served by our own Beast listener (http_listener.hpp), not prometheus-cpp's
// civetweb exposer. Leaves to others: registering and updating the hooks'
// metrics (whoever owns the hook), the access check (the listener).
// Threading: the handler runs on the listener's loop; the admin calls go to
// `admin_executor` as in admin_routes.hpp; Collect() on the registry is
// thread-safe (prometheus-cpp locks its families briefly). Failures: none
// (a scrape always answers 200 with what there is).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "inbound/http/http_route.hpp"

namespace prometheus {
class Collectable;
}

namespace impulse::admin {
class Admin;
}

namespace impulse::inbound::http {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct MetricsSources {
  const prometheus::Collectable& registry;  // outlives the routes
  std::shared_ptr<admin::Admin> admin;
  boost::asio::any_io_executor admin_executor;
  std::string version;               // "1.2.3" for impulse_build_info
  std::size_t domain_series = 100;   // queues given a per-domain series, largest first
};

void add_metrics_routes(Routes& routes, MetricsSources sources);

}  // namespace impulse::inbound::http
