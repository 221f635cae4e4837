#include "dns/forwarder.hpp"

#include <gtest/gtest.h>

namespace impulse::dns {
namespace {

TEST(UnboundForwarder, Ipv4WithAndWithoutPort) {
  EXPECT_EQ(unbound_forwarder("127.0.0.1:5353").value(), "127.0.0.1@5353");
  EXPECT_EQ(unbound_forwarder("10.0.0.1").value(), "10.0.0.1@53");
}

TEST(UnboundForwarder, Ipv6BracketedOrBare) {
  EXPECT_EQ(unbound_forwarder("[::1]:53").value(), "::1@53");
  EXPECT_EQ(unbound_forwarder("[fd00::5]").value(), "fd00::5@53");
  EXPECT_EQ(unbound_forwarder("::1").value(), "::1@53");
}

TEST(UnboundForwarder, RejectsHostnamesAndBadPorts) {
  for (const char* bad : {"", "dns.example.com", "dns.example.com:53", "127.0.0.1:", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:5x", "[::1", "[::1]x", "[127.0.0.1]:53", "1.2.3"}) {
    EXPECT_FALSE(unbound_forwarder(bad)) << bad;
  }
}

}  // namespace
}  // namespace impulse::dns
