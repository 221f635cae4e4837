// add_metrics_routes over the daemon's real metrics wiring (DaemonMetrics:
// prometheus::Registry with the delivery and spool hooks) and a real
// admin::Admin and Scheduler: GET /metrics (Access::kApiKey) answers the
// text format with every SPEC §16 family from start-up, values move with
// the hooks and the queues, and the per-domain series are cut to the
// largest queues.
#include "inbound/http/metrics_routes.hpp"

#include <gtest/gtest.h>
#include <prometheus/histogram.h>

#include <boost/asio/co_spawn.hpp>

// The daemon's wiring of the registry is header-only and lives with the app.
#include "../../../apps/impulsed/daemon_metrics.hpp"
#include "admin/admin.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::inbound::http {
namespace {

using beast_http::verb;
using queue::testing::SchedulerHarness;

struct MetricsHarness {
  explicit MetricsHarness(const std::string& config, std::size_t domain_series)
      : h(config),
        admin(std::make_shared<admin::Admin>(admin::AdminDeps{.scheduler = *h.scheduler,
                                                              .connections = nullptr,
                                                              .inbound_concurrency = {},
                                                              .daemon = {}})) {
    add_metrics_routes(routes, {.registry = metrics.registry,
                                .admin = admin,
                                .admin_executor = h.ios[0]->get_executor(),
                                .version = "9.8.7",
                                .domain_series = domain_series});
  }

  Response scrape() {
    auto found = routes.lookup(verb::get, "/metrics");
    auto* match = std::get_if<RouteMatch>(&found);
    EXPECT_TRUE(match);
    EXPECT_EQ(match->route->access, Access::kApiKey);
    Request req{verb::get, "/metrics", 11};
    RequestContext ctx;
    std::optional<Response> got;
    boost::asio::co_spawn(*h.ios[1], match->route->handler(req, ctx), [&](std::exception_ptr e, Response r) {
      if (e) std::rethrow_exception(e);
      got = std::move(r);
    });
    h.drain();
    EXPECT_TRUE(got.has_value());
    return got ? std::move(*got) : Response{};
  }

  daemon::DaemonMetrics metrics;
  SchedulerHarness h;
  std::shared_ptr<admin::Admin> admin;
  Routes routes;
};

bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(MetricsRoutes, EverySpecFamilyIsThereFromStartUp) {
  MetricsHarness m("", 100);
  Response res = m.scrape();
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res[beast_http::field::content_type], kMetricsContentType);
  const std::string& text = res.body();
  for (const char* type_line :
       {"# TYPE impulse_messages_received_total counter\n", "# TYPE impulse_deliveries_total counter\n",
        "# TYPE impulse_queue_messages gauge\n", "# TYPE impulse_outbound_connections gauge\n",
        "# TYPE impulse_inbound_connections gauge\n", "# TYPE impulse_spool_commit_seconds histogram\n",
        "# TYPE impulse_uptime_seconds gauge\n", "# TYPE impulse_build_info gauge\n"})
    EXPECT_TRUE(has(text, type_line)) << type_line << text;
  EXPECT_TRUE(has(text, "impulse_deliveries_total{method=\"mm7\",outcome=\"permanent\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_outbound_connections{method=\"ecstream\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_spool_commit_seconds_bucket{le=\"+Inf\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_messages_received_total 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_build_info{version=\"9.8.7\"} 1\n")) << text;
  EXPECT_FALSE(has(text, "impulse_domain_queue_messages")) << text;  // no queue yet
}

TEST(MetricsRoutes, HookValuesMoveInTheScrape) {
  MetricsHarness m("", 100);
  m.metrics.delivery.count(routing::DeliveryMethod::Smtp, queue::Disposition::kDelivered, 3);
  m.metrics.delivery.connection_opened(routing::DeliveryMethod::Lmtp);
  m.metrics.spool_commit_seconds.Observe(0.002);
  const std::string text = m.scrape().body();
  EXPECT_TRUE(has(text, "impulse_deliveries_total{method=\"smtp\",outcome=\"delivered\"} 3\n")) << text;
  EXPECT_TRUE(has(text, "impulse_deliveries_total{method=\"smtp\",outcome=\"transient\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_outbound_connections{method=\"lmtp\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "impulse_spool_commit_seconds_bucket{le=\"0.001\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "impulse_spool_commit_seconds_bucket{le=\"0.0025\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "impulse_spool_commit_seconds_count 1\n")) << text;
}

TEST(MetricsRoutes, ScrapeHasTheQueuesCutToTheLargest) {
  MetricsHarness m("Domain \"a.test\" { suspend_delivery = true }\nDomain \"b.test\" { suspend_delivery = true }\n", 1);
  ASSERT_TRUE(m.h.inject("s@x.test", {"r@a.test"}));
  ASSERT_TRUE(m.h.inject("s@x.test", {"r@b.test"}));
  ASSERT_TRUE(m.h.inject("s@x.test", {"q@b.test"}));
  const std::string text = m.scrape().body();
  EXPECT_TRUE(has(text, "impulse_messages_received_total 3\n")) << text;
  EXPECT_TRUE(has(text, "impulse_queue_messages{queue=\"active\"} 3\n")) << text;
  // domain_series = 1: only the largest queue (b.test, 2 entries)
  EXPECT_TRUE(has(text, "impulse_domain_queue_messages{binding=\"default\",domain=\"b.test\",queue=\"active\"} 2\n"))
      << text;
  EXPECT_TRUE(has(text, "impulse_domain_queue_messages{binding=\"default\",domain=\"b.test\",queue=\"delayed\"} 0\n"))
      << text;
  EXPECT_FALSE(has(text, "domain=\"a.test\"")) << text;
}

}  // namespace
}  // namespace impulse::inbound::http
