// Implementation of metrics_routes.hpp.
#include "inbound/http/metrics_routes.hpp"

#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

#include <boost/beast/http/field.hpp>
#include <iterator>

#include "admin/admin.hpp"
#include "inbound/http/admin_call.hpp"
#include "inbound/http/metrics_scrape_families.hpp"

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
  std::vector<prometheus::MetricFamily> families = src->registry.Collect();
  auto more = admin_metric_families(summary, largest, src->version);
  families.insert(families.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  auto process = process_metric_families(read_process_figures());
  families.insert(families.end(), std::make_move_iterator(process.begin()), std::make_move_iterator(process.end()));
  Response res{beast_http::status::ok, req.version()};
  res.set(beast_http::field::content_type, kMetricsContentType);
  res.keep_alive(req.keep_alive());
  res.body() = prometheus::TextSerializer().Serialize(families);
  res.prepare_payload();
  co_return res;
}

}  // namespace

void add_metrics_routes(Routes& routes, MetricsSources sources) {
  auto src = std::make_shared<const MetricsSources>(std::move(sources));
  routes.add(beast_http::verb::get, "/metrics", Access::kApiKey,
             [src](const Request& req, const RequestContext&) { return scrape(src, req); });
}

}  // namespace impulse::inbound::http
