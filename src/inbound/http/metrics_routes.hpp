// `GET /metrics` (SPEC §16 "Metrics"; Access::kApiKey): the Prometheus text
// (inbound/http/metrics_text.hpp) of the daemon's metrics registry (the
// hooks' counters: impulse_deliveries_total{method,outcome},
// impulse_outbound_connections{method}, impulse_spool_commit_seconds) plus
// what is read from the admin layer at scrape time:
//
//   impulse_messages_received_total              counter  messages accepted by an injector
//   impulse_queue_messages{queue}                gauge    active | delayed queue entries
//   impulse_inbound_connections                  gauge    open inbound sessions
//   impulse_uptime_seconds                       gauge
//   impulse_build_info{version}                  gauge    1
//   impulse_domain_queue_messages{binding,domain,queue}
//                                                gauge    the largest non-empty queues only
//                                                         (MetricsSources::domain_series, 100)
//
// Leaves to others: registering and updating the hooks' metrics (whoever
// owns the hook, e.g. delivery/delivery_metrics.hpp), the access check (the
// listener). Threading: the handler runs on the listener's loop; the admin
// calls go to `admin_executor` as in admin_routes.hpp. Failures: none (a
// scrape always answers 200 with what there is).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "admin/types.hpp"
#include "base/metrics.hpp"
#include "inbound/http/http_route.hpp"

namespace impulse::admin {
class Admin;
}

namespace impulse::inbound::http {

struct MetricsSources {
  const metrics::Registry& registry;  // outlives the routes
  std::shared_ptr<admin::Admin> admin;
  boost::asio::any_io_executor admin_executor;
  std::string version;               // "1.2.3" for impulse_build_info
  std::size_t domain_series = 100;   // queues given a per-domain series, largest first
};

void add_metrics_routes(Routes& routes, MetricsSources sources);

// The scrape-time families above, from a summary and the largest queues
// (already sorted and cut). Pure.
std::vector<metrics::FamilySnapshot> admin_metric_families(const admin::Summary& summary,
                                                           const std::vector<admin::QueueLine>& largest,
                                                           const std::string& version);

}  // namespace impulse::inbound::http
