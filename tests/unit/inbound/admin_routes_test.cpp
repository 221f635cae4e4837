// add_admin_routes over a real admin::Admin and Scheduler (SchedulerHarness,
// two io_contexts drained on the test thread; the handler runs on one loop
// and Admin on the other, as in the daemon): statuses and JSON of every
// route, 404 for what is not there, 400 for a bad body, 409 for a refused
// reload with its errors, and the actions acting on the queues.
#include "inbound/http/admin_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "admin/admin.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::inbound::http {
namespace {

namespace json = boost::json;
using beast_http::verb;
using queue::testing::SchedulerHarness;

const std::string kSuspended = "Domain \"held.test\" { suspend_delivery = true }\n";

struct Reply {
  unsigned status = 0;
  json::value body;
};

struct RoutesHarness {
  explicit RoutesHarness(const std::string& config, admin::DaemonActions daemon = {})
      : h(config),
        admin(std::make_shared<admin::Admin>(admin::AdminDeps{.scheduler = *h.scheduler,
                                                              .connections = nullptr,
                                                              .inbound_concurrency = {},
                                                              .daemon = std::move(daemon)})) {
    add_admin_routes(routes, admin, h.ios[0]->get_executor());
  }

  Reply call(verb v, const std::string& target, const std::string& body = "") {
    auto found = routes.lookup(v, target);
    auto* match = std::get_if<RouteMatch>(&found);
    if (!match) {
      ADD_FAILURE() << "no route for " << target;
      return {};
    }
    Request req{v, target, 11};
    req.body() = body;
    req.prepare_payload();
    RequestContext ctx;
    ctx.params = match->params;
    std::optional<Response> got;
    boost::asio::co_spawn(*h.ios[1], match->route->handler(req, ctx), [&](std::exception_ptr e, Response r) {
      if (e) std::rethrow_exception(e);
      got = std::move(r);
    });
    h.drain();
    if (!got) {
      ADD_FAILURE() << "no response for " << target;
      return {};
    }
    EXPECT_EQ((*got)[beast_http::field::content_type], "application/json");
    return Reply{static_cast<unsigned>(got->result_int()), json::parse(got->body())};
  }

  std::string inject(const std::string& rcpt) {
    auto id = h.inject("alice@sender.test", {rcpt});
    EXPECT_TRUE(id.has_value());
    return id ? *id : std::string();
  }

  SchedulerHarness h;
  std::shared_ptr<admin::Admin> admin;
  Routes routes;
};

TEST(AdminRoutes, EveryRouteIsRegistered) {
  RoutesHarness r("");
  EXPECT_EQ(r.routes.size(), 10u);
  for (const char* get : {"/api/v1/summary", "/api/v1/domains/x", "/api/v1/queues", "/api/v1/messages/x"})
    EXPECT_TRUE(std::holds_alternative<RouteMatch>(r.routes.lookup(verb::get, get))) << get;
  for (const char* post : {"/api/v1/domains/x/flush", "/api/v1/domains/x/fail", "/api/v1/domains/x/refresh",
                           "/api/v1/messages/x/retry", "/api/v1/messages/x/fail", "/api/v1/config/reload"}) {
    auto m = r.routes.lookup(verb::post, post);
    ASSERT_TRUE(std::holds_alternative<RouteMatch>(m)) << post;
    EXPECT_EQ(std::get<RouteMatch>(m).route->access, Access::kApiKey);
  }
}

TEST(AdminRoutes, SummaryQueuesAndDomainFollowTheQueue) {
  RoutesHarness r(kSuspended);
  r.inject("bob@held.test");
  Reply s = r.call(verb::get, "/api/v1/summary");
  EXPECT_EQ(s.status, 200u);
  EXPECT_EQ(s.body.at("received_messages"), 1);
  EXPECT_EQ(s.body.at("active_queue_size"), 1);

  Reply q = r.call(verb::get, "/api/v1/queues");
  ASSERT_EQ(q.status, 200u);
  ASSERT_EQ(q.body.as_array().size(), 1u);
  EXPECT_EQ(q.body.at(0).at("domain"), "held.test");
  EXPECT_EQ(q.body.at(0).at("active"), 1);

  Reply d = r.call(verb::get, "/api/v1/domains/held.test");
  ASSERT_EQ(d.status, 200u) << json::serialize(d.body);
  EXPECT_EQ(d.body.at("queues").at(0).at("active"), 1);

  Reply none = r.call(verb::get, "/api/v1/domains/nowhere.test");
  EXPECT_EQ(none.status, 404u);
  EXPECT_EQ(none.body.at("error"), "domain nowhere.test not found");
}

TEST(AdminRoutes, MessageDetailsAndWhatIsNotThere) {
  RoutesHarness r(kSuspended);
  const std::string id = r.inject("bob@held.test");
  Reply m = r.call(verb::get, "/api/v1/messages/" + id);
  ASSERT_EQ(m.status, 200u);
  EXPECT_EQ(m.body.at("id"), json::value(id));
  EXPECT_EQ(m.body.at("queues").at(0).at("recipients"), json::parse(R"(["bob@held.test"])"));
  EXPECT_EQ(m.body.at("queues").at(0).at("state"), "active");

  Reply bad = r.call(verb::get, "/api/v1/messages/nonsense");
  EXPECT_EQ(bad.status, 404u);
  EXPECT_EQ(bad.body.at("error"), "'nonsense' is not a message id");
  std::string other = id;
  other.back() = other.back() == '0' ? '1' : '0';
  EXPECT_EQ(r.call(verb::get, "/api/v1/messages/" + other).status, 404u);
  EXPECT_EQ(r.call(verb::post, "/api/v1/messages/" + other + "/retry").status, 404u);
  EXPECT_EQ(r.call(verb::post, "/api/v1/messages/" + other + "/fail").status, 404u);
}

TEST(AdminRoutes, MessageRetryAndFailAct) {
  RoutesHarness r(kSuspended);
  const std::string a = r.inject("a@held.test");
  const std::string b = r.inject("b@held.test");
  Reply retry = r.call(verb::post, "/api/v1/messages/" + a + "/retry");
  EXPECT_EQ(retry.status, 200u);
  EXPECT_EQ(retry.body, json::parse(R"({"id":")" + a + R"(","status":"requeued"})"));
  Reply failed = r.call(verb::post, "/api/v1/messages/" + b + "/fail", R"({"quiet": true})");
  EXPECT_EQ(failed.status, 200u);
  EXPECT_EQ(failed.body.at("status"), "failed");
  EXPECT_EQ(r.admin->summary().failed, 1u);
  EXPECT_EQ(r.call(verb::get, "/api/v1/messages/" + b).status, 404u);
}

TEST(AdminRoutes, AMessageBeingDeliveredIs409) {
  RoutesHarness r("");
  r.h.agent.auto_run = false;
  const std::string id = r.inject("a@example.com");
  ASSERT_FALSE(r.h.agent.ready.empty());
  auto jobs = r.h.agent.ready[0]->take(1);  // handed to the agent: in flight
  ASSERT_EQ(jobs.size(), 1u);
  for (const char* action : {"/retry", "/fail"}) {
    Reply busy = r.call(verb::post, "/api/v1/messages/" + id + action);
    EXPECT_EQ(busy.status, 409u) << action;
    EXPECT_EQ(busy.body.at("error"),
              json::value("message " + id + " is being delivered; try again when the attempt ends"));
  }
  EXPECT_EQ(r.call(verb::get, "/api/v1/messages/" + id).body.at("queues").at(0).at("state"), "in_flight");
}

TEST(AdminRoutes, DomainActionsCheckTheBodyAndTheDomain) {
  RoutesHarness r(kSuspended);
  r.inject("a@held.test");
  r.inject("b@held.test");
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/held.test/flush", "[1]").status, 400u);
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/held.test/flush", "{not json").status, 400u);
  Reply wrong = r.call(verb::post, "/api/v1/domains/held.test/fail", R"({"binding": 7})");
  EXPECT_EQ(wrong.status, 400u);
  EXPECT_EQ(wrong.body.at("error"), "\"binding\" must be a string");
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/held.test/fail", R"({"binding": "b9"})").status, 404u);
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/nowhere.test/flush").status, 404u);
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/all/fail").status, 400u);

  Reply flushed = r.call(verb::post, "/api/v1/domains/held.test/flush");
  EXPECT_EQ(flushed.status, 200u);
  EXPECT_EQ(flushed.body, json::parse(R"({"domain":"held.test","flushed":0})")) << "nothing was delayed";
  EXPECT_EQ(r.call(verb::post, "/api/v1/domains/all/flush").status, 200u);
  Reply refreshed = r.call(verb::post, "/api/v1/domains/held.test/refresh");
  EXPECT_EQ(refreshed.body, json::parse(R"({"domain":"held.test","refreshed":0})")) << "no connection manager";

  Reply failed = r.call(verb::post, "/api/v1/domains/held.test/fail", R"({"quiet": true})");
  EXPECT_EQ(failed.status, 200u);
  EXPECT_EQ(failed.body, json::parse(R"({"domain":"held.test","failed":2})"));
  EXPECT_EQ(r.admin->summary().total(), 0u);
}

TEST(AdminRoutes, ReloadIs200Or409WithEveryError) {
  bool refuse = true;
  admin::DaemonActions daemon;
  daemon.reload = [&refuse](const std::string& path) {
    EXPECT_EQ(path, "") << "always the file the daemon started with";
    if (!refuse) return admin::ReloadOutcome{true, {}};
    return admin::ReloadOutcome{false, {"a.conf:1:2: error: one", "a.conf:3:4: error: two"}};
  };
  RoutesHarness r("", daemon);
  Reply no = r.call(verb::post, "/api/v1/config/reload");
  EXPECT_EQ(no.status, 409u);
  EXPECT_EQ(no.body.at("errors"), json::parse(R"(["a.conf:1:2: error: one","a.conf:3:4: error: two"])"));
  refuse = false;
  Reply yes = r.call(verb::post, "/api/v1/config/reload");
  EXPECT_EQ(yes.status, 200u);
  EXPECT_EQ(yes.body, json::parse(R"({"status":"reloaded"})"));
}

}  // namespace
}  // namespace impulse::inbound::http
