// One Routes item (config/route_item.hpp; seed 003 "routes", SPEC §3).
#include <gtest/gtest.h>

#include "config/route_item.hpp"

namespace impulse::config {
namespace {

TEST(RouteItem, PlainHostName) {
  auto r = parse_route_item("my.local.smart.host");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kind, RouteItem::Kind::Host);
  EXPECT_EQ(r->target.host, "my.local.smart.host");
  EXPECT_FALSE(r->pref);
  EXPECT_FALSE(r->explicit_port());
}

TEST(RouteItem, MxKeyword) {
  auto r = parse_route_item("__mx__");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteItem::Kind::Mx);
}

TEST(RouteItem, SeedUrlWithEveryParameter) {
  auto r = parse_route_item("smtp://1.2.3.4?pref=10&ttl=300&type=mx");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kind, RouteItem::Kind::Url);
  EXPECT_EQ(r->scheme, "smtp");
  EXPECT_EQ(r->target.host, "1.2.3.4");
  ASSERT_TRUE(r->target.ip);
  EXPECT_EQ(r->pref, 10u);
  EXPECT_EQ(r->ttl, 300u);
  EXPECT_EQ(r->lookup, RouteItem::Lookup::Mx);
  EXPECT_FALSE(r->port);
}

TEST(RouteItem, PortAndTypeA) {
  auto r = parse_route_item("LMTP://mail.example.com?port=24&type=A");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->scheme, "lmtp");
  EXPECT_EQ(r->port, 24);
  EXPECT_EQ(r->explicit_port(), 24);
  EXPECT_EQ(r->lookup, RouteItem::Lookup::A);
}

TEST(RouteItem, PortQueryWinsOverHostPort) {
  auto r = parse_route_item("smtp://mx.example.com:2525?port=2526");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target.port, 2525);
  EXPECT_EQ(r->explicit_port(), 2526);
  EXPECT_EQ(parse_route_item("smtp://mx.example.com:2525")->explicit_port(), 2525);
}

TEST(RouteItem, Ipv6LiteralsInBrackets) {
  auto host = parse_route_item("[::1]:2525");
  ASSERT_TRUE(host) << host.error();
  EXPECT_EQ(host->kind, RouteItem::Kind::Host);
  EXPECT_EQ(host->target.host, "::1");
  EXPECT_EQ(host->target.port, 2525);
  auto url = parse_route_item("smtp://[2001:db8::25]?pref=5");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->target.host, "2001:db8::25");
  EXPECT_EQ(url->pref, 5u);
}

TEST(RouteItem, PushAndMm7UrlsCarryPaths) {
  auto apn = parse_route_item("apn://gateway.push.apple.com?port=2195");
  ASSERT_TRUE(apn);
  EXPECT_EQ(apn->scheme, "apn");
  EXPECT_EQ(apn->port, 2195);
  auto gcm = parse_route_item("gcm://android.google.apis.com?port=443");
  ASSERT_TRUE(gcm);
  EXPECT_EQ(gcm->target.host, "android.google.apis.com");
  auto mm7 = parse_route_item("mm7://example.com/mmssend?port=8080");
  ASSERT_TRUE(mm7);
  EXPECT_EQ(mm7->path, "/mmssend");
  EXPECT_EQ(mm7->port, 8080);
  auto https = parse_route_item("https://fcm.googleapis.com/v1/projects/p/messages:send");
  ASSERT_TRUE(https) << https.error();
  EXPECT_EQ(https->path, "/v1/projects/p/messages:send");
}

TEST(RouteItem, ErrorsSayWhatWasExpected) {
  EXPECT_EQ(parse_route_item("").error(), "empty route item");
  EXPECT_EQ(parse_route_item("ftp://x").error(),
            "unknown route scheme 'ftp'; expected one of: smtp, lmtp, apn, gcm, mm7, mm7s, http, https");
  EXPECT_EQ(parse_route_item("smtp://?pref=1").error(), "empty host in route");
  EXPECT_EQ(parse_route_item("smtp://").error(), "empty host in route");
  EXPECT_EQ(parse_route_item("smtp://[::1]?pref=abc").error(),
            "bad route parameter 'pref=abc': expected an integer between 0 and 65535");
  EXPECT_EQ(parse_route_item("smtp://h?pref=65536").error(),
            "bad route parameter 'pref=65536': expected an integer between 0 and 65535");
  EXPECT_EQ(parse_route_item("smtp://h?ttl=-1").error(),
            "bad route parameter 'ttl=-1': expected an integer between 0 and 4294967295");
  EXPECT_EQ(parse_route_item("smtp://h?port=0").error(),
            "bad route parameter 'port=0': expected an integer between 1 and 65535");
  EXPECT_EQ(parse_route_item("smtp://h?port=").error(),
            "bad route parameter 'port=': expected an integer between 1 and 65535");
  EXPECT_EQ(parse_route_item("smtp://h?type=aaaa").error(), "bad route parameter 'type=aaaa': expected one of: mx, a");
  EXPECT_EQ(parse_route_item("smtp://h?prefs=1").error(),
            "unknown route parameter 'prefs'; expected one of: pref, ttl, port, type");
  EXPECT_EQ(parse_route_item("smtp://h?pref=1&pref=2").error(), "route parameter 'pref' given twice");
  EXPECT_EQ(parse_route_item("smtp://h/x").error(),
            "unexpected path '/x' in smtp route (only apn, gcm, mm7, http and https routes carry a path)");
  EXPECT_EQ(parse_route_item("my.host?pref=1").error(),
            "route parameters need the URL form, e.g. \"smtp://HOST?pref=10\"");
}

TEST(RouteItem, Ipv6WithoutBracketsIsRejected) {
  EXPECT_EQ(parse_route_item("::1").error(), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
  EXPECT_EQ(parse_route_item("smtp://2001:db8::1?pref=1").error(),
            "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
}

}  // namespace
}  // namespace impulse::config
