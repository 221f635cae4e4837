// Implementation of metrics_scrape_families.hpp.
#include "inbound/http/metrics_scrape_families.hpp"

#include <utility>

namespace impulse::inbound::http {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double d(std::uint64_t v) { return static_cast<double>(v); }

// One sample; labels in the order given (alphabetical, as the registry writes them).
ClientMetric sample(MetricType type, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (type == MetricType::Counter) m.counter.value = value;
  else m.gauge.value = value;
  return m;
}

MetricFamily family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

}  // namespace

std::vector<MetricFamily> admin_metric_families(const admin::Summary& s, const std::vector<admin::QueueLine>& largest,
                                                const std::string& version) {
  std::vector<MetricFamily> out;
  auto received = family("impulse_messages_received_total",
                         "Messages accepted by an injector (SMTP, HTTP, ECSTREAM).", MetricType::Counter);
  received.metric.push_back(sample(MetricType::Counter, {}, d(s.received)));
  out.push_back(std::move(received));

  auto queues = family("impulse_queue_messages",
                       "Queue entries (one message's recipients of one binding and domain) by queue.",
                       MetricType::Gauge);
  queues.metric.push_back(sample(MetricType::Gauge, {{"queue", "active"}}, d(s.active)));
  queues.metric.push_back(sample(MetricType::Gauge, {{"queue", "delayed"}}, d(s.delayed)));
  out.push_back(std::move(queues));

  auto inbound = family("impulse_inbound_connections", "Open inbound sessions.", MetricType::Gauge);
  inbound.metric.push_back(sample(MetricType::Gauge, {}, d(s.inbound_concurrency)));
  out.push_back(std::move(inbound));

  auto uptime = family("impulse_uptime_seconds", "Seconds since the daemon started.", MetricType::Gauge);
  uptime.metric.push_back(sample(MetricType::Gauge, {}, static_cast<double>(s.uptime.count())));
  out.push_back(std::move(uptime));

  if (s.cluster_connected) {
    auto cluster = family("impulse_cluster_connected",
                          "1 while the cluster's Redis is reachable, 0 while degraded (SPEC §18).", MetricType::Gauge);
    cluster.metric.push_back(sample(MetricType::Gauge, {}, *s.cluster_connected ? 1 : 0));
    out.push_back(std::move(cluster));
  }

  auto spool = family("impulse_spool_memory_bytes",
                      "Memory the spool holds: RocksDB memtables (written, not yet flushed) and its block cache.",
                      MetricType::Gauge);
  spool.metric.push_back(sample(MetricType::Gauge, {{"part", "block_cache"}}, d(s.spool_block_cache_bytes)));
  spool.metric.push_back(sample(MetricType::Gauge, {{"part", "memtables"}}, d(s.spool_memtable_bytes)));
  out.push_back(std::move(spool));

  auto build = family("impulse_build_info", "The running build; the value is always 1.", MetricType::Gauge);
  build.metric.push_back(sample(MetricType::Gauge, {{"version", version}}, 1));
  out.push_back(std::move(build));

  if (!largest.empty()) {
    auto per_domain = family("impulse_domain_queue_messages",
                             "Queue entries of the largest (binding, domain) queues, by queue.", MetricType::Gauge);
    for (const auto& q : largest) {
      per_domain.metric.push_back(
          sample(MetricType::Gauge, {{"binding", q.binding}, {"domain", q.domain}, {"queue", "active"}}, d(q.active)));
      per_domain.metric.push_back(sample(MetricType::Gauge,
                                         {{"binding", q.binding}, {"domain", q.domain}, {"queue", "delayed"}},
                                         d(q.delayed)));
    }
    out.push_back(std::move(per_domain));
  }
  return out;
}

std::vector<MetricFamily> process_metric_families(const ProcessFigures& figures) {
  std::vector<MetricFamily> out;
  auto add = [&out](const std::optional<std::uint64_t>& figure, std::string name, std::string help) {
    if (!figure) return;
    auto f = family(std::move(name), std::move(help), MetricType::Gauge);
    f.metric.push_back(sample(MetricType::Gauge, {}, d(*figure)));
    out.push_back(std::move(f));
  };
  add(figures.resident_bytes, "process_resident_memory_bytes", "Resident memory size in bytes.");
  add(figures.virtual_bytes, "process_virtual_memory_bytes", "Virtual memory size in bytes.");
  add(figures.open_fds, "process_open_fds", "Number of open file descriptors.");
  add(figures.max_fds, "process_max_fds", "Maximum number of open file descriptors.");
  return out;
}

}  // namespace impulse::inbound::http
