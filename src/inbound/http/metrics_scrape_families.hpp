// The metric families read at scrape time (SPEC §16 "Metrics"), built from
// what the admin layer reports rather than counted by a hook, as
// prometheus-cpp MetricFamily values that GET /metrics serializes after the
// registry's (inbound/http/metrics_routes.hpp):
//
//   impulse_messages_received_total              counter  messages accepted by an injector
//   impulse_queue_messages{queue}                gauge    active | delayed queue entries
//   impulse_inbound_connections                  gauge    open inbound sessions
//   impulse_uptime_seconds                       gauge
//   impulse_build_info{version}                  gauge    1
//   impulse_cluster_connected                    gauge    1 / 0, only with a Cluster stanza (SPEC §18)
//   impulse_spool_memory_bytes{part}             gauge    memtables | block_cache (RocksDB)
//   process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds,
//   process_max_fds                              gauge    (inbound/http/process_metrics.hpp)
//   impulse_domain_queue_messages{binding,domain,queue}
//                                                gauge    the given (largest) queues only;
//                                                         left out when there are none
//
// Built afresh per scrape from one summary and the already sorted and cut
// list of largest queues, so a queue that shrank out of the top N simply
// has no series in the next scrape (nothing to remove, nothing shared
// between concurrent scrapes). Leaves to others: choosing the queues (the
// admin layer's QueueQuery limit), serializing (prometheus::TextSerializer).
// Pure; any thread. Failures: none.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "admin/types.hpp"
#include "inbound/http/process_metrics.hpp"

namespace impulse::inbound::http {

std::vector<prometheus::MetricFamily> admin_metric_families(const admin::Summary& summary,
                                                            const std::vector<admin::QueueLine>& largest,
                                                            const std::string& version);

// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds (gauges): one family per figure there is.
std::vector<prometheus::MetricFamily> process_metric_families(const ProcessFigures& figures);

}  // namespace impulse::inbound::http
