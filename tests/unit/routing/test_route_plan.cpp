// Route expansion (route_plan.hpp): which targets are resolved, with which
// preference rule and port (SPEC §3; seeds 001 and 003).
#include <gtest/gtest.h>

#include "routing/route_plan.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using testing::endpoint;
using testing::routes;
using Kind = RouteTarget::Kind;

RoutePlan plan(const RouteInputs& inputs, std::string_view domain = "example.com") {
  auto result = plan_routes(inputs, domain);
  EXPECT_TRUE(result.has_value());
  return result.value_or(RoutePlan{});
}

TEST(RoutePlan, NoRoutesNoGatewayMeansTheDomainsMx) {
  auto p = plan(RouteInputs{}, "Example.COM.");
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].kind, Kind::DomainMx);
  EXPECT_EQ(p.targets[0].name, "example.com");
  EXPECT_EQ(p.targets[0].port, 25);
  EXPECT_EQ(p.targets[0].preference_for(10), 10u);
}

TEST(RoutePlan, AddressLiteralDomainNeedsNoLookup) {
  auto p = plan(RouteInputs{}, "[192.0.2.7]");
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].kind, Kind::Literal);
  EXPECT_EQ(p.targets[0].ip->str(), "192.0.2.7");
  auto p6 = plan(RouteInputs{}, "[IPv6:2001:db8::1]");
  EXPECT_EQ(p6.targets[0].kind, Kind::Literal);
  EXPECT_TRUE(p6.targets[0].ip->v6);
}

TEST(RoutePlan, GatewayHostnameReplacesTheMx) {
  RouteInputs in;
  in.gateway = endpoint("Smart.Example.NET");
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].kind, Kind::Host);
  EXPECT_EQ(p.targets[0].name, "smart.example.net");
  EXPECT_EQ(p.targets[0].lookup, config::RouteItem::Lookup::Mx);
}

TEST(RoutePlan, GatewayIpLiteralWithPort) {
  RouteInputs in;
  in.gateway = endpoint("[fe80::a00]:1");
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].kind, Kind::Literal);
  EXPECT_EQ(p.targets[0].port, 1);
  EXPECT_TRUE(p.targets[0].ip->v6);
}

// Seed 001: global Gateway 10.10.10.50; local.example.com has Gateway
// 10.10.10.20 with Delivery_Method LMTP, so it goes to port 2003.
TEST(RoutePlan, Seed001LmtpGatewayUsesLmtpPort) {
  RouteInputs global;
  global.gateway = endpoint("10.10.10.50");
  auto g = plan(global, "other.example.org");
  EXPECT_EQ(g.targets[0].name, "10.10.10.50");
  EXPECT_EQ(g.targets[0].port, 25);

  RouteInputs local;
  local.gateway = endpoint("10.10.10.20");
  local.method = DeliveryMethod::Lmtp;
  auto l = plan(local, "local.example.com");
  EXPECT_EQ(l.method, DeliveryMethod::Lmtp);
  EXPECT_EQ(l.targets[0].kind, Kind::Literal);
  EXPECT_EQ(l.targets[0].name, "10.10.10.20");
  EXPECT_EQ(l.targets[0].port, 2003);
}

TEST(RoutePlan, ConfiguredPortsPerMethod) {
  RouteInputs in;
  in.gateway = endpoint("relay.example.net");
  in.ports.remote_smtp_port = 2525;
  in.ports.lmtp_port = 24;
  in.ports.ecstream_port = 1900;
  EXPECT_EQ(plan(in).targets[0].port, 2525);
  in.method = DeliveryMethod::Smtp;
  EXPECT_EQ(plan(in).targets[0].port, 2525);
  in.method = DeliveryMethod::Lmtp;
  EXPECT_EQ(plan(in).targets[0].port, 24);
  in.method = DeliveryMethod::Ecstream;
  EXPECT_EQ(plan(in).targets[0].port, 1900);
}

TEST(RoutePlan, RoutePortWinsOverHostPortWinsOverMethodDefault) {
  RouteInputs in;
  in.method = DeliveryMethod::Lmtp;
  in.routes = routes({"smtp://a.example.net:2600?port=2700", "b.example.net:2601", "c.example.net"});
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 3u);
  EXPECT_EQ(p.targets[0].port, 2700);
  EXPECT_EQ(p.targets[1].port, 2601);
  EXPECT_EQ(p.targets[2].port, 2003);
}

TEST(RoutePlan, RoutesWinOverGateway) {
  RouteInputs in;
  in.gateway = endpoint("gw.example.net");
  in.routes = routes({"r.example.net"});
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].name, "r.example.net");
}

TEST(RoutePlan, EcstreamUsesGatewayOnlyAndIgnoresRoutes) {
  RouteInputs in;
  in.method = DeliveryMethod::Ecstream;
  in.routes = routes({"r.example.net"});
  in.gateway = endpoint("node2.example.net");
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].name, "node2.example.net");
  EXPECT_EQ(p.targets[0].port, 1825);
}

TEST(RoutePlan, EcstreamWithoutGatewayFailsTransientlySayingSo) {
  // SPEC §15: Routes are not used for ECSTREAM; no Gateway is a transient
  // failure with its own text (was "No valid hosts" before issue 15).
  RouteInputs in;
  in.method = DeliveryMethod::Ecstream;
  in.routes = routes({"r.example.net"});
  auto p = plan_routes(in, "example.com");
  ASSERT_FALSE(p.has_value());
  EXPECT_FALSE(p.error().permanent);
  EXPECT_EQ(p.error().text, "451 4.4.0 [internal] ECSTREAM delivers to a Gateway; none is configured");
}

TEST(RoutePlan, MxItemExpandsToTheDomainAndKeepsItsListPosition) {
  RouteInputs in;
  in.routes = routes({"smtp://my.local.smart.host?pref=1", "__mx__"});
  auto p = plan(in, "example.com");
  ASSERT_EQ(p.targets.size(), 2u);
  EXPECT_EQ(p.targets[0].kind, Kind::Host);
  EXPECT_EQ(p.targets[0].preference_for(0), 1u);
  EXPECT_EQ(p.targets[0].preference_for(20), 1u) << "pref= applies to every host the item expands to";
  EXPECT_EQ(p.targets[1].kind, Kind::DomainMx);
  EXPECT_EQ(p.targets[1].name, "example.com");
  EXPECT_EQ(p.targets[1].preference_for(10), 65536u + 10u);
}

TEST(RoutePlan, PreferenceWithoutPrefIsListPositionTimes65536PlusMxPreference) {
  RouteInputs in;
  in.routes = routes({"first.example.net", "second.example.net", "smtp://third.example.net?pref=7",
                      "smtp://fourth.example.net?type=a&ttl=30"});
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 4u);
  EXPECT_EQ(p.targets[0].preference_for(0), 0u);
  EXPECT_EQ(p.targets[0].preference_for(5), 5u);
  EXPECT_EQ(p.targets[1].preference_for(0), 65536u);
  EXPECT_EQ(p.targets[1].preference_for(5), 65541u);
  EXPECT_EQ(p.targets[2].preference_for(99), 7u);
  EXPECT_EQ(p.targets[3].preference_for(0), 3u * 65536u);
  EXPECT_EQ(p.targets[3].lookup, config::RouteItem::Lookup::A);
  EXPECT_EQ(p.targets[3].ttl, 30u);
}

TEST(RoutePlan, PushRoutesKeepSchemePathAndPort) {
  RouteInputs in;
  in.method = DeliveryMethod::Mm7;
  in.routes = routes({"mm7://mmsc.example.com/mmssend?port=8080", "https://mmsc2.example.com/send"});
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 2u);
  EXPECT_EQ(p.targets[0].scheme, "mm7");
  EXPECT_EQ(p.targets[0].path, "/mmssend");
  EXPECT_EQ(p.targets[0].port, 8080);
  EXPECT_EQ(p.targets[1].port, 443);
  in.method = DeliveryMethod::Apn;
  in.routes = routes({"apn://api.push.apple.com"});
  EXPECT_EQ(plan(in).targets[0].port, 443);
}

TEST(RoutePlan, Ipv6LiteralRouteInBrackets) {
  RouteInputs in;
  in.routes = routes({"[2001:db8::25]", "smtp://[2001:db8::26]:2525?pref=5"});
  auto p = plan(in);
  ASSERT_EQ(p.targets.size(), 2u);
  EXPECT_EQ(p.targets[0].kind, Kind::Literal);
  EXPECT_EQ(p.targets[0].port, 25);
  EXPECT_EQ(p.targets[1].kind, Kind::Literal);
  EXPECT_EQ(p.targets[1].port, 2525);
}

TEST(DeliveryMethod, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(parse_delivery_method("ESMTP"), DeliveryMethod::Esmtp);
  EXPECT_EQ(parse_delivery_method("lmtp"), DeliveryMethod::Lmtp);
  EXPECT_EQ(parse_delivery_method("EcStream"), DeliveryMethod::Ecstream);
  EXPECT_EQ(parse_delivery_method("mm7"), DeliveryMethod::Mm7);
  EXPECT_FALSE(parse_delivery_method("uucp").has_value());
  EXPECT_EQ(delivery_method_name(DeliveryMethod::Gcm), "gcm");
}

}  // namespace
}  // namespace impulse::routing
