// LMTP to a Unix socket (issue 6; reference/protocols.md §2 "support
// host:port and unix:/path"): `Gateway = "unix:/run/dovecot/lmtp"` and the
// route forms "unix:/path" and "lmtp://unix:/path?pref=P&ttl=T" are
// accepted; what they cannot carry (a port, type=, a non-mail scheme) is
// refused with a message saying so.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/route_item.hpp"
#include "config/value_check.hpp"

namespace impulse::config {
namespace {

TEST(LmtpUnixSocket, GatewayAcceptsUnixSocketForms) {
  const OptionDef* gateway = registry().find("gateway");
  ASSERT_NE(gateway, nullptr);
  for (const char* text : {"unix:/run/dovecot/lmtp", "/var/spool/postfix/private/dovecot-lmtp"}) {
    auto r = convert_text(*gateway, text);
    ASSERT_TRUE(r) << text << ": " << r.error();
    EXPECT_EQ(std::get<std::string>(*r), text);
  }
  auto empty = convert_text(*gateway, "unix:");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), "expected a socket path after 'unix:'");
  // Only "unix:" or a leading '/' makes a socket: a '/' elsewhere is a bad host name.
  auto typo = convert_text(*gateway, "mx.example.com/25");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error(), "invalid host name 'mx.example.com/25'");
  EXPECT_FALSE(convert_text(*gateway, "relative/socket"));
  // host[:port] forms are unchanged.
  EXPECT_TRUE(convert_text(*gateway, "10.10.10.20"));
  EXPECT_TRUE(convert_text(*gateway, "[::1]:2003"));
}

TEST(LmtpUnixSocket, GatewayInAConfigFile) {
  auto c = load_config_text(R"(
Domain "local.example.com" {
  Gateway = "unix:/run/dovecot/lmtp"
  Delivery_Method = LMTP
}
)",
                            "t.conf");
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->resolve({"default", "local.example.com"}, "gateway").value->as_string(), "unix:/run/dovecot/lmtp");
}

TEST(LmtpUnixSocket, PlainRouteItem) {
  auto r = parse_route_item("unix:/run/dovecot/lmtp");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kind, RouteItem::Kind::Host);
  EXPECT_TRUE(r->target.unix_socket);
  EXPECT_EQ(r->target.host, "/run/dovecot/lmtp");
  EXPECT_FALSE(r->explicit_port());
}

TEST(LmtpUnixSocket, LmtpUrlWithPrefAndTtl) {
  auto r = parse_route_item("lmtp://unix:/run/dovecot/lmtp?pref=5&ttl=60");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kind, RouteItem::Kind::Url);
  EXPECT_EQ(r->scheme, "lmtp");
  EXPECT_TRUE(r->target.unix_socket);
  EXPECT_EQ(r->target.host, "/run/dovecot/lmtp");
  EXPECT_TRUE(r->path.empty());
  EXPECT_EQ(r->pref, 5u);
  EXPECT_EQ(r->ttl, 60u);
  auto smtp = parse_route_item("SMTP://UNIX:/tmp/sock");
  ASSERT_TRUE(smtp) << smtp.error();
  EXPECT_EQ(smtp->target.host, "/tmp/sock");
}

TEST(LmtpUnixSocket, RouteErrorsSayWhatWasExpected) {
  EXPECT_EQ(parse_route_item("lmtp://unix:/run/dovecot/lmtp?port=24").error(),
            "a Unix socket route takes no port= parameter");
  EXPECT_EQ(parse_route_item("lmtp://unix:/run/dovecot/lmtp?type=a").error(),
            "a Unix socket route takes no type= parameter");
  EXPECT_EQ(parse_route_item("apn://unix:/tmp/x").error(),
            "a Unix socket route needs the smtp or lmtp scheme, not 'apn'");
  EXPECT_EQ(parse_route_item("lmtp://unix:?pref=1").error(), "expected a socket path after 'unix:'");
  EXPECT_EQ(parse_route_item("unix:").error(), "expected a socket path after 'unix:'");
}

TEST(LmtpUnixSocket, RoutesOptionAcceptsSockets) {
  auto c = load_config_text(R"(
Domain "local.example.com" {
  Delivery_Method = LMTP
  Routes = ( "lmtp://unix:/run/dovecot/lmtp?pref=1" "lmtp://10.10.10.20?pref=10" )
}
)",
                            "t.conf");
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->resolve({"default", "local.example.com"}, "routes").value->as_list().size(), 2u);
}

}  // namespace
}  // namespace impulse::config
