#include "dns/dns_name.hpp"

#include <gtest/gtest.h>

namespace impulse::dns {
namespace {

TEST(DnsName, AbsoluteNameAddsOneDotAndLowerCases) {
  EXPECT_EQ(absolute_name("Example.COM"), "example.com.");
  EXPECT_EQ(absolute_name("example.com."), "example.com.");
  EXPECT_EQ(absolute_name(""), ".");
  EXPECT_EQ(absolute_name("."), ".");
}

TEST(DnsName, EscapedFinalDotIsNotATrailingDot) {
  EXPECT_FALSE(has_trailing_dot("a\\."));
  EXPECT_TRUE(has_trailing_dot("a\\\\."));
  EXPECT_EQ(absolute_name("a\\."), "a\\..");
}

TEST(DnsName, DisplayNameDropsTheTrailingDot) {
  EXPECT_EQ(display_name("MX1.Example.com."), "mx1.example.com");
  EXPECT_EQ(display_name("mx1.example.com"), "mx1.example.com");
  EXPECT_EQ(display_name("."), "");
  EXPECT_EQ(display_name("a\\."), "a\\.");
}

}  // namespace
}  // namespace impulse::dns

namespace impulse::dns {
namespace {

// n 'a's then tail, built in a named string: `std::string(n, 'a') + tail`
// draws a GCC 12 -O1/-O2 -Warray-bounds false positive (bug 105651).
std::string a_label(std::size_t n, std::string_view tail) {
  std::string name(n, 'a');
  name += tail;
  return name;
}

TEST(DnsName, ValidNames) {
  EXPECT_TRUE(is_valid_name("example.com"));
  EXPECT_TRUE(is_valid_name("example.com."));
  EXPECT_TRUE(is_valid_name("."));
  EXPECT_TRUE(is_valid_name(a_label(63, ".test")));
  EXPECT_TRUE(is_valid_name("a\\.b.test"));
  EXPECT_TRUE(is_valid_name("a\\255b.test"));
}

TEST(DnsName, InvalidNames) {
  EXPECT_FALSE(is_valid_name(a_label(64, ".test")));
  EXPECT_FALSE(is_valid_name("a..b"));
  EXPECT_FALSE(is_valid_name(".a"));
  EXPECT_FALSE(is_valid_name("a\\"));
  EXPECT_FALSE(is_valid_name("a\\25"));
  EXPECT_FALSE(is_valid_name("a\\256.test"));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += a_label(63, ".");
  EXPECT_FALSE(is_valid_name(long_name));  // 4 * 64 + 1 = 257 octets
}

TEST(DnsName, EscapesCountAsOneOctet) {
  std::string label;
  for (int i = 0; i < 63; ++i) label += "\\065";
  EXPECT_TRUE(is_valid_name(label + ".test"));
  EXPECT_FALSE(is_valid_name(label + "a.test"));
}

}  // namespace
}  // namespace impulse::dns
