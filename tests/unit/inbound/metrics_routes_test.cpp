// add_metrics_routes over a real admin::Admin and Scheduler: GET /metrics
// (Access::kApiKey) answers the text format with the registry's families and
// the scrape-time ones, and the per-domain series are cut to the largest
// queues.
#include "inbound/http/metrics_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>

#include "admin/admin.hpp"
#include "inbound/http/metrics_text.hpp"
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
    add_metrics_routes(routes, {.registry = registry,
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

  metrics::Registry registry;
  SchedulerHarness h;
  std::shared_ptr<admin::Admin> admin;
  Routes routes;
};

TEST(MetricsRoutes, ScrapeHasTheRegistryAndTheQueues) {
  MetricsHarness m("Domain \"a.test\" { suspend_delivery = true }\nDomain \"b.test\" { suspend_delivery = true }\n", 1);
  m.registry.counter("impulse_deliveries_total", "Recipients.", {{"method", "smtp"}, {"outcome", "delivered"}}).inc(3);
  ASSERT_TRUE(m.h.inject("s@x.test", {"r@a.test"}));
  ASSERT_TRUE(m.h.inject("s@x.test", {"r@b.test"}));
  ASSERT_TRUE(m.h.inject("s@x.test", {"q@b.test"}));
  Response res = m.scrape();
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res[beast_http::field::content_type], kMetricsContentType);
  const std::string& text = res.body();
  EXPECT_NE(text.find("impulse_deliveries_total{method=\"smtp\",outcome=\"delivered\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("impulse_messages_received_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("impulse_queue_messages{queue=\"active\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("impulse_build_info{version=\"9.8.7\"} 1\n"), std::string::npos) << text;
  // domain_series = 1: only the largest queue (b.test, 2 entries)
  EXPECT_NE(text.find("impulse_domain_queue_messages{binding=\"default\",domain=\"b.test\",queue=\"active\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("domain=\"a.test\""), std::string::npos) << text;
}

}  // namespace
}  // namespace impulse::inbound::http
