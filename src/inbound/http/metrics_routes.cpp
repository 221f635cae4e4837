// Implementation of metrics_routes.hpp.
#include "inbound/http/metrics_routes.hpp"

#include <boost/beast/http/field.hpp>

#include "admin/admin.hpp"
#include "inbound/http/admin_call.hpp"
#include "inbound/http/metrics_text.hpp"

namespace impulse::inbound::http {

namespace {

namespace asio = boost::asio;

asio::awaitable<Response> scrape(std::shared_ptr<const MetricsSources> src, const Request& req) {
  admin::QueueQuery largest_first;
  largest_first.non_empty_only = true;
  largest_first.limit = src->domain_series;
  auto queues_op = admin_call<std::vector<admin::QueueLine>>(
      src->admin_executor, [a = src->admin, largest_first](std::function<void(std::vector<admin::QueueLine>)> done) {
        a->queues(largest_first, std::move(done));
      });
  const auto largest = co_await std::move(queues_op);
  auto summary_op = admin_call<admin::Summary>(
      src->admin_executor, [a = src->admin](std::function<void(admin::Summary)> done) { done(a->summary()); });
  const auto summary = co_await std::move(summary_op);
  std::vector<metrics::FamilySnapshot> families = src->registry.snapshot();
  auto more = admin_metric_families(summary, largest, src->version);
  families.insert(families.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  Response res{beast_http::status::ok, req.version()};
  res.set(beast_http::field::content_type, kMetricsContentType);
  res.keep_alive(req.keep_alive());
  res.body() = metrics_text(families);
  res.prepare_payload();
  co_return res;
}

metrics::Sample sample(metrics::Labels labels, double value) { return metrics::Sample{std::move(labels), value, std::nullopt}; }

}  // namespace

std::vector<metrics::FamilySnapshot> admin_metric_families(const admin::Summary& s,
                                                           const std::vector<admin::QueueLine>& largest,
                                                           const std::string& version) {
  using metrics::Type;
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  std::vector<metrics::FamilySnapshot> out;
  out.push_back({"impulse_messages_received_total", "Messages accepted by an injector (SMTP, HTTP, ECSTREAM).",
                 Type::kCounter, {sample({}, d(s.received))}});
  out.push_back({"impulse_queue_messages", "Queue entries (one message's recipients of one binding and domain) by queue.",
                 Type::kGauge, {sample({{"queue", "active"}}, d(s.active)), sample({{"queue", "delayed"}}, d(s.delayed))}});
  out.push_back({"impulse_inbound_connections", "Open inbound sessions.", Type::kGauge,
                 {sample({}, d(s.inbound_concurrency))}});
  out.push_back({"impulse_uptime_seconds", "Seconds since the daemon started.", Type::kGauge,
                 {sample({}, static_cast<double>(s.uptime.count()))}});
  out.push_back({"impulse_build_info", "The running build; the value is always 1.", Type::kGauge,
                 {sample({{"version", version}}, 1)}});
  metrics::FamilySnapshot per_domain{"impulse_domain_queue_messages",
                                     "Queue entries of the largest (binding, domain) queues, by queue.",
                                     Type::kGauge,
                                     {}};
  for (const auto& q : largest) {
    per_domain.samples.push_back(sample({{"binding", q.binding}, {"domain", q.domain}, {"queue", "active"}}, d(q.active)));
    per_domain.samples.push_back(sample({{"binding", q.binding}, {"domain", q.domain}, {"queue", "delayed"}}, d(q.delayed)));
  }
  out.push_back(std::move(per_domain));
  return out;
}

void add_metrics_routes(Routes& routes, MetricsSources sources) {
  auto src = std::make_shared<const MetricsSources>(std::move(sources));
  routes.add(beast_http::verb::get, "/metrics", Access::kApiKey,
             [src](const Request& req, const RequestContext&) { return scrape(src, req); });
}

}  // namespace impulse::inbound::http
