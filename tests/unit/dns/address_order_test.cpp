#include "dns/address_order.hpp"

#include <gtest/gtest.h>

namespace impulse::dns {
namespace {

config::IpAddress v4(std::uint8_t last) {
  config::IpAddress ip;
  ip.bytes = {127, 0, 0, last};
  return ip;
}

config::IpAddress v6(std::uint8_t last) {
  config::IpAddress ip;
  ip.v6 = true;
  ip.bytes[15] = last;
  return ip;
}

using List = std::vector<config::IpAddress>;

TEST(AddressOrder, WithoutIpv6OnlyIpv4AddressesInResolverOrder) {
  AddressPolicy policy;
  EXPECT_FALSE(wants_aaaa(policy));
  EXPECT_EQ(order_addresses({v4(3), v4(1), v4(2)}, {v6(1)}, policy), (List{v4(3), v4(1), v4(2)}));
  EXPECT_EQ(order_addresses({}, {v6(1)}, policy), List{});
}

TEST(AddressOrder, WithIpv6Ipv4ComesFirstByDefault) {
  AddressPolicy policy{.use_ipv6 = true};
  EXPECT_TRUE(wants_aaaa(policy));
  EXPECT_EQ(order_addresses({v4(2), v4(1)}, {v6(9), v6(8)}, policy), (List{v4(2), v4(1), v6(9), v6(8)}));
}

TEST(AddressOrder, PreferIpv6PutsIpv6FirstKeepingOrderInsideEachFamily) {
  AddressPolicy policy{.use_ipv6 = true, .prefer_ipv6_mxs = true};
  EXPECT_EQ(order_addresses({v4(2), v4(1)}, {v6(9), v6(8)}, policy), (List{v6(9), v6(8), v4(2), v4(1)}));
  EXPECT_EQ(order_addresses({v4(1)}, {}, policy), List{v4(1)});
}

TEST(AddressOrder, PreferIpv6WithoutUseIpv6ChangesNothing) {
  AddressPolicy policy{.use_ipv6 = false, .prefer_ipv6_mxs = true};
  EXPECT_EQ(order_addresses({v4(1)}, {v6(1)}, policy), List{v4(1)});
}

TEST(AddressOrder, AddressesInTheWrongListAreSortedByFamily) {
  AddressPolicy policy{.use_ipv6 = true};
  EXPECT_EQ(order_addresses({v6(5), v4(1)}, {v4(2)}, policy), (List{v4(1), v4(2), v6(5)}));
}

}  // namespace
}  // namespace impulse::dns
