// Routes: pattern matching, percent-decoded params, 404/405 with Allow, and the
// JSON reply helpers' shape.
#include "inbound/http/http_route.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace impulse::inbound::http {
namespace {

Handler ok_handler() {
  return [](const Request& req, const RequestContext&) -> boost::asio::awaitable<Response> {
    co_return json_response(beast_http::status::ok, boost::json::value{}, req);
  };
}

TEST(HttpRoutes, MatchesLiteralAndParamSegments) {
  Routes routes;
  routes.add(beast_http::verb::get, "/healthz", Access::kPublic, ok_handler());
  routes.add(beast_http::verb::post, "/api/v1/domains/{name}/flush", Access::kApiKey, ok_handler());

  auto hit = routes.lookup(beast_http::verb::post, "/api/v1/domains/ex%41mple.com/flush?x=1");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(hit));
  const auto& m = std::get<RouteMatch>(hit);
  EXPECT_EQ(m.route->pattern, "/api/v1/domains/{name}/flush");
  EXPECT_EQ(m.route->access, Access::kApiKey);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], "exAmple.com");

  auto health = routes.lookup(beast_http::verb::get, "/healthz");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(health));
  EXPECT_TRUE(std::get<RouteMatch>(health).params.empty());
}

TEST(HttpRoutes, UnknownPathIs404AndOtherVerbIs405WithAllow) {
  Routes routes;
  routes.add(beast_http::verb::get, "/api/v1/queues", Access::kApiKey, ok_handler());
  routes.add(beast_http::verb::delete_, "/api/v1/queues", Access::kApiKey, ok_handler());

  auto miss = routes.lookup(beast_http::verb::get, "/api/v1/nothing");
  ASSERT_TRUE(std::holds_alternative<RouteMiss>(miss));
  EXPECT_EQ(std::get<RouteMiss>(miss).status, beast_http::status::not_found);

  auto wrong = routes.lookup(beast_http::verb::post, "/api/v1/queues");
  ASSERT_TRUE(std::holds_alternative<RouteMiss>(wrong));
  EXPECT_EQ(std::get<RouteMiss>(wrong).status, beast_http::status::method_not_allowed);
  EXPECT_EQ(std::get<RouteMiss>(wrong).allow, "GET, DELETE");
}

TEST(HttpRoutes, TrailingSlashEmptyParamAndBadEscapeDoNotMatch) {
  Routes routes;
  routes.add(beast_http::verb::post, "/v1.0/inject/", Access::kApiKey, ok_handler());
  routes.add(beast_http::verb::get, "/m/{id}", Access::kApiKey, ok_handler());
  EXPECT_TRUE(std::holds_alternative<RouteMatch>(routes.lookup(beast_http::verb::post, "/v1.0/inject/")));
  EXPECT_TRUE(std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::post, "/v1.0/inject")));
  EXPECT_TRUE(std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::get, "/m/")));
  EXPECT_TRUE(std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::get, "/m/%4")));
  EXPECT_TRUE(std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::get, "/m/%zz")));
  EXPECT_TRUE(std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::get, "*")));
}

TEST(HttpRoutes, DuplicateOrMalformedPatternIsABug) {
  Routes routes;
  routes.add(beast_http::verb::get, "/a", Access::kPublic, ok_handler());
  EXPECT_THROW(routes.add(beast_http::verb::get, "/a", Access::kPublic, ok_handler()), std::logic_error);
  EXPECT_THROW(routes.add(beast_http::verb::get, "a", Access::kPublic, ok_handler()), std::logic_error);
  EXPECT_THROW(routes.add(beast_http::verb::get, "/b?x", Access::kPublic, ok_handler()), std::logic_error);
}

TEST(HttpJson, ErrorBodyAndHeadersFollowTheRequest) {
  Request req{beast_http::verb::get, "/x", 11};
  req.keep_alive(true);
  auto res = json_error(beast_http::status::forbidden, "client \"x\" not in Relay_Hosts", req);
  EXPECT_EQ(res.result(), beast_http::status::forbidden);
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res.version(), 11u);
  auto body = boost::json::parse(res.body());
  EXPECT_EQ(body.at("error").as_string(), "client \"x\" not in Relay_Hosts");
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(res.body().size()));

  Request old{beast_http::verb::get, "/x", 10};
  auto res10 = json_error(beast_http::status::not_found, "no", old);
  EXPECT_EQ(res10.version(), 10u);
  EXPECT_FALSE(res10.keep_alive());
}

}  // namespace
}  // namespace impulse::inbound::http
