// The four seed pages (SPEC "heart of the mission"): every configuration
// snippet they show loads and evaluates as the page says.
//   000 delivery_method, 001 outbound routing chapter (Gateway example),
//   002 lmtp_port, 003 routes.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/route_item.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

std::string method(const Config& c, std::string binding, std::string domain) {
  return c.resolve(OutboundKey{std::move(binding), std::move(domain)}, "delivery_method").value->as_string();
}

// ---- 000 delivery_method ------------------------------------------------

TEST(Seed000DeliveryMethod, EverySynopsisLine) {
  for (auto [written, stored] : std::vector<std::pair<std::string, std::string>>{
           {"ESMTP", "esmtp"}, {"SMTP", "smtp"}, {"LMTP", "lmtp"}, {"ECSTREAM", "ecstream"},
           {"APN", "apn"}, {"GCM", "gcm"}, {"MM7", "mm7"}}) {
    auto c = load_ok("Delivery_Method = \"" + written + "\"\n");
    ASSERT_TRUE(c) << written;
    EXPECT_EQ(method(*c, "default", "example.com"), stored);
  }
}

TEST(Seed000DeliveryMethod, EsmtpIsTheDefault) {
  auto c = load_ok("");
  ASSERT_TRUE(c);
  auto r = c->resolve({"default", "example.com"}, "delivery_method");
  EXPECT_TRUE(r.is_default());
  EXPECT_EQ(r.value->as_string(), "esmtp");
}

TEST(Seed000DeliveryMethod, PushDomainsFromThePage) {
  auto c = load_ok(R"(
domain "apn_example.com"{
  delivery_method = "apn"
  routes = ("apn://gateway.push.apple.com?port=2195")
}
domain "gcm.example.com" {
  delivery_method = "gcm"
  routes = ("gcm://android.google.apis.com?port=443")
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(method(*c, "default", "apn_example.com"), "apn");
  EXPECT_EQ(method(*c, "default", "gcm.example.com"), "gcm");
  EXPECT_EQ(method(*c, "default", "example.com"), "esmtp");
  EXPECT_EQ(c->resolve({"default", "apn_example.com"}, "routes").value->as_list(),
            (std::vector<std::string>{"apn://gateway.push.apple.com?port=2195"}));
  auto gcm = c->resolve({"default", "gcm.example.com"}, "routes").value->as_list();
  ASSERT_EQ(gcm.size(), 1u);
  auto item = parse_route_item(gcm[0]);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->scheme, "gcm");
  EXPECT_EQ(item->target.host, "android.google.apis.com");
  EXPECT_EQ(item->explicit_port(), 443);
}

TEST(Seed000DeliveryMethod, ValidInBindingBindingGroupDomainGlobal) {
  auto c = load_ok(R"(
Delivery_Method = SMTP
binding_group g1 {
  Delivery_Method = LMTP
  binding b1 { }
  binding b2 { Delivery_Method = ECSTREAM }
}
binding b3 { domain d.com { Delivery_Method = MM7 } }
domain x.com { Delivery_Method = ESMTP }
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(method(*c, "b1", "y.com"), "lmtp");
  EXPECT_EQ(method(*c, "b2", "y.com"), "ecstream");
  EXPECT_EQ(method(*c, "b3", "d.com"), "mm7");
  EXPECT_EQ(method(*c, "b3", "x.com"), "esmtp");
  EXPECT_EQ(method(*c, "default", "y.com"), "smtp");
  EXPECT_EQ(errors_of("host mx1 {\n  Delivery_Method = LMTP\n}\n"),
            (std::vector<std::string>{"t.conf:2:3: error: option 'delivery_method' is not valid in host scope "
                                      "(valid in: binding, binding_group, domain, global)"}));
}

// ---- 001 outbound routing chapter ----------------------------------------

TEST(Seed001Routing, GatewayExample) {
  auto c = load_ok(R"(
# route all mail to a "smart host"
Gateway = 10.10.10.50

# Except for mail for local.example.com
Domain local.example.com {
  # which is routed to this address
  Gateway = 10.10.10.20
  # using LMTP
  Delivery_Method = LMTP
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->resolve({"default", "local.example.com"}, "gateway").value->as_string(), "10.10.10.20");
  EXPECT_EQ(method(*c, "default", "local.example.com"), "lmtp");
  EXPECT_EQ(c->resolve({"default", "other.com"}, "gateway").value->as_string(), "10.10.10.50");
  EXPECT_EQ(method(*c, "default", "other.com"), "esmtp");
  EXPECT_EQ(c->resolve({"default", "local.example.com"}, "lmtp_port").value->as_int(), 2003);
}

TEST(Seed001Routing, GatewayPerBindingAndIpv6WithPort) {
  auto c = load_ok(R"(
binding b1 { Gateway = "[fe80::a00]:1" }
binding_group g1 { Gateway = "my.local.smart.host" binding b2 { } }
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->resolve({"b1", "x.com"}, "gateway").value->as_string(), "[fe80::a00]:1");
  EXPECT_EQ(c->resolve({"b2", "x.com"}, "gateway").value->as_string(), "my.local.smart.host");
  EXPECT_TRUE(c->resolve({"default", "x.com"}, "gateway").is_default());
  EXPECT_EQ(c->resolve({"default", "x.com"}, "gateway").value->as_string(), "");
}

// ---- 002 lmtp_port --------------------------------------------------------

TEST(Seed002LmtpPort, DefaultIs2003) {
  auto c = load_ok("Delivery_Method = LMTP\n");
  ASSERT_TRUE(c);
  auto r = c->resolve({"default", "example.com"}, "lmtp_port");
  EXPECT_TRUE(r.is_default());
  EXPECT_EQ(r.value->as_int(), 2003);
}

TEST(Seed002LmtpPort, SynopsisLine) {
  auto c = load_ok("LMTP_Port = 2003\n");
  ASSERT_TRUE(c);
  auto r = c->resolve({"default", "example.com"}, "lmtp_port");
  EXPECT_FALSE(r.is_default());
  EXPECT_EQ(r.value->as_int(), 2003);
}

TEST(Seed002LmtpPort, SetInEachValidScope) {
  auto c = load_ok(R"(
LMTP_Port = 2001
binding_group g1 {
  LMTP_Port = 2002
  binding b1 { }
}
binding b2 { LMTP_Port = 2004 }
domain example.com { LMTP_Port = 2005 }
)");
  ASSERT_TRUE(c);
  auto port = [&](std::string b, std::string d) { return c->resolve({b, d}, "lmtp_port").value->as_int(); };
  EXPECT_EQ(port("default", "other.com"), 2001);
  EXPECT_EQ(port("b1", "other.com"), 2002);
  EXPECT_EQ(port("b2", "other.com"), 2004);
  EXPECT_EQ(port("default", "example.com"), 2005);
  EXPECT_EQ(port("b1", "example.com"), 2002);  // binding_group ranks above the global domain
  EXPECT_EQ(c->eval({"binding", "b2"}, "lmtp_port")->value->as_int(), 2004);
  EXPECT_EQ(c->eval({"binding_group", "g1"}, "lmtp_port")->value->as_int(), 2002);
  EXPECT_EQ(c->eval({"domain", "example.com"}, "lmtp_port")->value->as_int(), 2005);
  EXPECT_EQ(c->eval({}, "lmtp_port")->value->as_int(), 2001);
}

TEST(Seed002LmtpPort, RejectedInHostScope) {
  EXPECT_EQ(errors_of("Host \"mx1.example.com\" {\n  LMTP_Port = 2003\n}\n"),
            (std::vector<std::string>{"t.conf:2:3: error: option 'lmtp_port' is not valid in host scope "
                                      "(valid in: binding, binding_group, domain, global)"}));
}

// ---- 003 routes -----------------------------------------------------------

TEST(Seed003Routes, EverySynopsisLine) {
  for (std::string_view line : {"Routes = ( \"smtp://1.2.3.4?pref=10&ttl=300&type=mx\" )",
                                "Routes = ( \"my.local.smart.host\" )", "Routes = ( \"__mx__\" )",
                                "Routes = ( \"smtp://my.local.smart.host?pref=1\" \"__mx__\" )"}) {
    auto c = load_ok(std::string(line) + "\n");
    ASSERT_TRUE(c) << line;
    auto routes = c->resolve({"default", "example.com"}, "routes").value->as_list();
    ASSERT_FALSE(routes.empty()) << line;
    for (const auto& item : routes) EXPECT_TRUE(parse_route_item(item)) << item;
  }
  auto c = load_ok("Routes = ( \"smtp://1.2.3.4?pref=10&ttl=300&type=mx\" )\n");
  ASSERT_TRUE(c);
  auto item = parse_route_item(c->resolve({"default", "example.com"}, "routes").value->as_list()[0]);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->target.host, "1.2.3.4");
  EXPECT_EQ(item->pref, 10u);
  EXPECT_EQ(item->ttl, 300u);
  EXPECT_EQ(item->lookup, RouteItem::Lookup::Mx);
}

TEST(Seed003Routes, SmartHostThenMx) {
  auto c = load_ok("Routes = ( \"smtp://my.local.smart.host?pref=1\" \"__mx__\" )\n");
  ASSERT_TRUE(c);
  auto routes = c->resolve({"default", "any.com"}, "routes").value->as_list();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(parse_route_item(routes[0])->pref, 1u);
  EXPECT_EQ(parse_route_item(routes[1])->kind, RouteItem::Kind::Mx);
}

TEST(Seed003Routes, FiveEqualPreferenceRoutes) {
  auto c = load_ok(R"(
Routes = (
           "smtp://10.0.11.7?pref=10" "smtp://10.0.11.8?pref=10"
           "smtp://10.0.11.10?pref=10" "smtp://10.0.11.13?pref=10"
           "smtp://10.0.11.56?pref=10"
         )
)");
  ASSERT_TRUE(c);
  auto routes = c->resolve({"default", "example.com"}, "routes").value->as_list();
  ASSERT_EQ(routes.size(), 5u);
  std::vector<std::string> hosts;
  for (const auto& r : routes) {
    auto item = parse_route_item(r);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->pref, 10u);
    hosts.push_back(item->target.host);
  }
  EXPECT_EQ(hosts, (std::vector<std::string>{"10.0.11.7", "10.0.11.8", "10.0.11.10", "10.0.11.13", "10.0.11.56"}));
}

TEST(Seed003Routes, DomainRoutesOverrideGlobalRoutes) {
  auto c = load_ok("Routes = ( \"hub.example.net\" )\nDomain special.com {\n  Routes = ( \"__mx__\" )\n}\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->resolve({"default", "special.com"}, "routes").value->as_list(), (std::vector<std::string>{"__mx__"}));
  EXPECT_EQ(c->resolve({"default", "other.com"}, "routes").value->as_list(),
            (std::vector<std::string>{"hub.example.net"}));
}

TEST(Seed003Routes, PushAndMm7Routes) {
  auto c = load_ok(R"(
domain "apn_example.com"{
  delivery_method = "apn"
  routes = ("apn://gateway.push.apple.com?port=2195")
}
domain "mm7.example.com" {
  delivery_method = "mm7"
  routes = ("mm7://example.com/mmssend?port=8080")
}
domain "push.example.com" {
  delivery_method = "gcm"
  routes = ("http://android.googleapis.com/gcm/send?port=443")
}
)");
  ASSERT_TRUE(c);
  auto mm7 = parse_route_item(c->resolve({"default", "mm7.example.com"}, "routes").value->as_list()[0]);
  ASSERT_TRUE(mm7);
  EXPECT_EQ(mm7->path, "/mmssend");
  EXPECT_EQ(mm7->explicit_port(), 8080);
  auto http = parse_route_item(c->resolve({"default", "push.example.com"}, "routes").value->as_list()[0]);
  ASSERT_TRUE(http);
  EXPECT_EQ(http->scheme, "http");
}

TEST(Seed003Routes, Ipv6LiteralsInBrackets) {
  auto c = load_ok("Routes = ( \"[2001:db8::25]\" \"smtp://[::1]:2525?pref=5\" \"[::1]:2526\" )\n");
  ASSERT_TRUE(c);
  auto routes = c->resolve({"default", "example.com"}, "routes").value->as_list();
  ASSERT_EQ(routes.size(), 3u);
  auto a = parse_route_item(routes[0]);
  auto b = parse_route_item(routes[1]);
  auto d = parse_route_item(routes[2]);
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->target.host, "2001:db8::25");
  ASSERT_TRUE(a->target.ip);
  EXPECT_TRUE(a->target.ip->v6);
  EXPECT_EQ(b->target.host, "::1");
  EXPECT_EQ(b->explicit_port(), 2525);
  EXPECT_EQ(b->pref, 5u);
  EXPECT_EQ(d->explicit_port(), 2526);
  EXPECT_EQ(errors_of("Routes = ( \"2001:db8::25\" )\n"),
            (std::vector<std::string>{"t.conf:1:12: error: IPv6 address must be in brackets, e.g. \"[::1]:25\""}));
}

TEST(Seed003Routes, ValidOnlyInDomainAndGlobal) {
  EXPECT_EQ(errors_of("Binding b1 {\n  Routes = ( \"mx.example.com\" )\n}\n"),
            (std::vector<std::string>{
                "t.conf:2:3: error: option 'routes' is not valid in binding scope (valid in: domain, global)"}));
  EXPECT_EQ(errors_of("Binding_Group g1 {\n  Routes = ( \"mx.example.com\" )\n}\n"),
            (std::vector<std::string>{"t.conf:2:3: error: option 'routes' is not valid in binding_group scope "
                                      "(valid in: domain, global)"}));
  // A domain stanza inside a binding is domain scope: allowed.
  EXPECT_TRUE(load_ok("Binding b1 {\n  Domain x.com {\n    Routes = ( __mx__ )\n  }\n}\n"));
}

}  // namespace
}  // namespace impulse::config
