#include "dns/answer_parse.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace impulse::dns {
namespace {

using Wire = std::vector<std::uint8_t>;

Wire mx_rdata(std::uint16_t pref, const Wire& name) {
  Wire r = {static_cast<std::uint8_t>(pref >> 8), static_cast<std::uint8_t>(pref)};
  r.insert(r.end(), name.begin(), name.end());
  return r;
}

// "mx1.Example.COM." in wire form.
const Wire kMx1 = {3, 'm', 'x', '1', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0};

TEST(ParseMxRdata, PreferenceAndLowerCaseNameWithoutTrailingDot) {
  auto mx = parse_mx_rdata(mx_rdata(10, kMx1));
  ASSERT_TRUE(mx) << mx.error().message;
  EXPECT_EQ(mx->preference, 10);
  EXPECT_EQ(mx->exchange, "mx1.example.com");
}

TEST(ParseMxRdata, PreferenceIsBigEndian) {
  auto mx = parse_mx_rdata(mx_rdata(0x1234, kMx1));
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->preference, 0x1234);
}

TEST(ParseMxRdata, NullMxIsPreferenceZeroAndEmptyExchange) {
  auto mx = parse_mx_rdata(Wire{0, 0, 0});
  ASSERT_TRUE(mx) << mx.error().message;
  EXPECT_EQ(mx->preference, 0);
  EXPECT_EQ(mx->exchange, "");
}

TEST(ParseMxRdata, RootExchangeWithNonZeroPreferenceIsKept) {
  auto mx = parse_mx_rdata(Wire{0, 5, 0});
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->preference, 5);
  EXPECT_EQ(mx->exchange, "");
}

TEST(ParseMxRdata, TooShortIsAnError) {
  EXPECT_FALSE(parse_mx_rdata(Wire{}));
  EXPECT_FALSE(parse_mx_rdata(Wire{0, 10}));
}

TEST(ParseMxRdata, TruncatedLabelIsAnError) {
  auto mx = parse_mx_rdata(Wire{0, 10, 5, 'a', 'b'});
  ASSERT_FALSE(mx);
  EXPECT_NE(mx.error().message.find("past the end"), std::string::npos) << mx.error().message;
}

TEST(ParseMxRdata, MissingRootLabelIsAnError) {
  EXPECT_FALSE(parse_mx_rdata(Wire{0, 10, 1, 'a'}));
}

TEST(ParseMxRdata, TrailingOctetsAreAnError) {
  auto mx = parse_mx_rdata(Wire{0, 10, 1, 'a', 0, 7});
  ASSERT_FALSE(mx);
  EXPECT_NE(mx.error().message.find("after the MX exchange"), std::string::npos);
}

TEST(ParseMxRdata, CompressionPointerIsAnError) {
  auto mx = parse_mx_rdata(Wire{0, 10, 1, 'a', 0xC0, 0x0C});
  ASSERT_FALSE(mx);
  EXPECT_NE(mx.error().message.find("compression"), std::string::npos);
}

TEST(ParseMxRdata, ReservedLabelTypeIsAnError) {
  EXPECT_FALSE(parse_mx_rdata(Wire{0, 10, 0x41, 'a', 0}));
}

TEST(ParseWireName, EscapesSpecialAndNonPrintableOctets) {
  Wire name = {7, 'a', '.', 'b', '\\', ' ', 0x7f, 'Z', 2, 'c', ';', 0};
  std::size_t offset = 0;
  auto text = parse_wire_name(name, offset);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "a\\.b\\\\\\032\\127z.c\\;");
  EXPECT_EQ(offset, name.size());
}

TEST(ParseWireName, StartsAtOffsetAndAdvancesPastTheName) {
  Wire wire = {9, 9, 1, 'x', 0, 42};
  std::size_t offset = 2;
  auto text = parse_wire_name(wire, offset);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "x");
  EXPECT_EQ(offset, 5u);
}

TEST(ParseWireName, NameOfExactly255OctetsIsAccepted) {
  Wire name;
  for (int i = 0; i < 4; ++i) {  // 4 * 64 = 256 would be too long; 3 * 64 + 62 + 1 = 255
    int len = i < 3 ? 63 : 61;
    name.push_back(static_cast<std::uint8_t>(len));
    name.insert(name.end(), len, 'a');
  }
  name.push_back(0);
  ASSERT_EQ(name.size(), 255u);
  std::size_t offset = 0;
  EXPECT_TRUE(parse_wire_name(name, offset));
}

TEST(ParseWireName, NameLongerThan255OctetsIsAnError) {
  Wire name;
  for (int i = 0; i < 4; ++i) {
    name.push_back(63);
    name.insert(name.end(), 63, 'a');
  }
  name.push_back(0);
  std::size_t offset = 0;
  auto text = parse_wire_name(name, offset);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("255"), std::string::npos);
}

TEST(ParseAddressRdata, FourOctetsAreAnIpv4Address) {
  auto ip = parse_a_rdata(Wire{127, 0, 0, 11});
  ASSERT_TRUE(ip);
  EXPECT_FALSE(ip->v6);
  EXPECT_EQ(ip->bytes[0], 127);
  EXPECT_EQ(ip->bytes[3], 11);
  EXPECT_EQ(ip->bytes[4], 0);
}

TEST(ParseAddressRdata, SixteenOctetsAreAnIpv6Address) {
  Wire loopback(16, 0);
  loopback[15] = 1;
  auto ip = parse_aaaa_rdata(loopback);
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->v6);
  EXPECT_EQ(ip->bytes[15], 1);
}

TEST(ParseAddressRdata, WrongLengthsAreErrors) {
  EXPECT_FALSE(parse_a_rdata(Wire{127, 0, 0}));
  EXPECT_FALSE(parse_a_rdata(Wire(16, 0)));
  EXPECT_FALSE(parse_aaaa_rdata(Wire{127, 0, 0, 1}));
  EXPECT_FALSE(parse_aaaa_rdata(Wire(17, 0)));
}

}  // namespace
}  // namespace impulse::dns
