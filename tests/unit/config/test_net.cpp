// Network literals of configuration values (config/net.hpp): IP addresses,
// CIDR blocks, host[:port] endpoints and Listen addresses.
#include <gtest/gtest.h>

#include "config/net.hpp"

namespace impulse::config {
namespace {

TEST(ParseIp, AcceptsDottedQuadAndIpv6) {
  auto v4 = parse_ip("10.0.0.1");
  ASSERT_TRUE(v4);
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->str(), "10.0.0.1");
  auto v6 = parse_ip("fe80::a00");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->str(), "fe80::a00");
  EXPECT_EQ(parse_ip("0:0:0:0:0:0:0:1")->str(), "::1");
}

TEST(ParseIp, RejectsMalformedAddresses) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "10.0.0.01", "1.2.3.4.5", "a.b.c.d", "::g", "[::1]", "10.0.0.1 "})
    EXPECT_FALSE(parse_ip(bad)) << bad;
}

TEST(ParseCidr, AcceptsPrefixesAndBareAddresses) {
  auto c = parse_cidr("127.0.0.0/8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prefix, 8u);
  EXPECT_TRUE(c->contains(*parse_ip("127.1.2.3")));
  EXPECT_FALSE(c->contains(*parse_ip("128.0.0.1")));
  EXPECT_FALSE(c->contains(*parse_ip("::1")));

  auto host = parse_cidr("10.1.2.3");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix, 32u);

  auto v6 = parse_cidr("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->prefix, 8u);
  EXPECT_TRUE(v6->contains(*parse_ip("fd12::1")));
  EXPECT_FALSE(v6->contains(*parse_ip("fe80::1")));
  EXPECT_EQ(parse_cidr("::1")->prefix, 128u);
}

TEST(ParseCidr, ClearsHostBitsOfTheNetwork) {
  auto c = parse_cidr("10.1.2.3/8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->network.str(), "10.0.0.0");
  EXPECT_EQ(parse_cidr("10.1.2.3/0")->network.str(), "0.0.0.0");
  EXPECT_EQ(parse_cidr("10.1.2.3/0")->contains(*parse_ip("200.1.1.1")), true);
  EXPECT_EQ(parse_cidr("10.0.0.255/25")->network.str(), "10.0.0.128");
}

TEST(ParseCidr, SaysWhatWasExpected) {
  EXPECT_EQ(parse_cidr("banana").error(), "expected an IPv4 or IPv6 address with optional /prefix");
  EXPECT_EQ(parse_cidr("10.0.0.0/33").error(), "expected a prefix length between 0 and 32");
  EXPECT_EQ(parse_cidr("::/129").error(), "expected a prefix length between 0 and 128");
  EXPECT_EQ(parse_cidr("10.0.0.0/").error(), "expected a prefix length between 0 and 32");
  EXPECT_EQ(parse_cidr("/8").error(), "expected an IPv4 or IPv6 address with optional /prefix");
}

TEST(ParseEndpoint, HostsAddressesAndPorts) {
  auto h = parse_endpoint("mx.example.com");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "mx.example.com");
  EXPECT_FALSE(h->ip);
  EXPECT_FALSE(h->port);

  auto hp = parse_endpoint("mx.example.com:2525");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "mx.example.com");
  EXPECT_EQ(hp->port, 2525);

  auto ip = parse_endpoint("10.10.10.50");
  ASSERT_TRUE(ip);
  ASSERT_TRUE(ip->ip);
  EXPECT_EQ(ip->ip->str(), "10.10.10.50");

  auto v6 = parse_endpoint("[fe80::a00]:1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fe80::a00");
  ASSERT_TRUE(v6->ip);
  EXPECT_TRUE(v6->ip->v6);
  EXPECT_EQ(v6->port, 1);

  auto v6_no_port = parse_endpoint("[::1]");
  ASSERT_TRUE(v6_no_port);
  EXPECT_FALSE(v6_no_port->port);
}

TEST(ParseEndpoint, Ipv6MustBeBracketed) {
  EXPECT_EQ(parse_endpoint("::1").error(), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
  EXPECT_EQ(parse_endpoint("fe80::a00:25").error(), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
}

TEST(ParseEndpoint, SaysWhatIsWrong) {
  EXPECT_EQ(parse_endpoint("").error(), "expected a host name or IP address");
  EXPECT_EQ(parse_endpoint("mx.example.com:0").error(), "expected a port between 1 and 65535");
  EXPECT_EQ(parse_endpoint("mx.example.com:65536").error(), "expected a port between 1 and 65535");
  EXPECT_EQ(parse_endpoint("mx.example.com:").error(), "expected a port between 1 and 65535");
  EXPECT_EQ(parse_endpoint("mx..example.com").error(), "invalid host name 'mx..example.com'");
  EXPECT_EQ(parse_endpoint("bad host").error(), "invalid host name 'bad host'");
  EXPECT_EQ(parse_endpoint("10.0.0.300").error(), "invalid IPv4 address '10.0.0.300'");
  EXPECT_EQ(parse_endpoint("[10.0.0.1]").error(), "expected an IPv6 address inside brackets, got '10.0.0.1'");
  EXPECT_EQ(parse_endpoint("[::1").error(), "missing ']' after the IPv6 address");
  EXPECT_EQ(parse_endpoint("[::1]x").error(), "unexpected 'x' after the IPv6 address");
}

TEST(ParseEndpoint, UnixSocketsOnlyWhenAllowed) {
  auto u = parse_endpoint("/tmp/2025", true);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->unix_socket);
  EXPECT_EQ(u->host, "/tmp/2025");
  auto rel = parse_endpoint("var/console.sock", true);
  ASSERT_TRUE(rel);
  EXPECT_TRUE(rel->unix_socket);
  auto prefixed = parse_endpoint("unix:/run/impulse.sock", true);
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->host, "/run/impulse.sock");
  EXPECT_FALSE(parse_endpoint("/tmp/2025", false));
}

TEST(ParseListenAddress, WildcardsAddressesAndSockets) {
  auto any = parse_listen_address(":25");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 25);
  auto star = parse_listen_address("*:25");
  ASSERT_TRUE(star);
  EXPECT_EQ(star->host, "0.0.0.0");
  auto any6 = parse_listen_address("[*]:25");
  ASSERT_TRUE(any6);
  EXPECT_EQ(any6->host, "::");
  ASSERT_TRUE(any6->ip);
  EXPECT_TRUE(any6->ip->v6);
  auto v6 = parse_listen_address("[::1]:2525");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->port, 2525);
  auto sock = parse_listen_address("/tmp/2025");
  ASSERT_TRUE(sock);
  EXPECT_TRUE(sock->unix_socket);
}

TEST(ParseListenAddress, NetworkFormsNeedAPort) {
  EXPECT_EQ(parse_listen_address("127.0.0.1").error(), "expected a port after the address, e.g. \"127.0.0.1:25\"");
  EXPECT_EQ(parse_listen_address("::1").error(), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
  EXPECT_EQ(parse_listen_address(":0").error(), "expected a port between 1 and 65535");
}

}  // namespace
}  // namespace impulse::config
