// Unit tests for protocol/mta_sts_policy.hpp (RFC 8461 §3.1, §3.2, §4.1).
#include "protocol/mta_sts_policy.hpp"

#include <gtest/gtest.h>

namespace impulse::protocol {
namespace {

TEST(MtaStsPolicy, ParsesTheRfcExample) {
  auto p = parse_mta_sts_policy(
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
      "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->mode, MtaStsMode::kEnforce);
  EXPECT_EQ(p->max_age, 604800u);
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net", "backupmx.example.com"}));
}

TEST(MtaStsPolicy, AcceptsLfWhitespaceUnknownKeysAndAnyOrder) {
  auto p = parse_mta_sts_policy("max_age:86400\nfoo: bar\nmx:   MX.Example.ORG  \nmode: testing\nversion: STSv1");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->mode, MtaStsMode::kTesting);
  EXPECT_EQ(p->max_age, 86400u);
  EXPECT_EQ(p->mx, std::vector<std::string>{"mx.example.org"});
}

TEST(MtaStsPolicy, ModeNoneNeedsNoMx) {
  auto p = parse_mta_sts_policy("version: STSv1\nmode: none\nmax_age: 1\n");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->mode, MtaStsMode::kNone);
}

TEST(MtaStsPolicy, ClampsMaxAgeToOneYear) {
  auto p = parse_mta_sts_policy("version: STSv1\nmode: none\nmax_age: 9999999999\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->max_age, kMtaStsMaxAge);
}

TEST(MtaStsPolicy, RefusesBrokenPolicies) {
  EXPECT_FALSE(parse_mta_sts_policy(""));
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 5\n"));
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmax_age: 5\n"));  // no mx
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: strict\nmx: a.b\nmax_age: 5\n"));
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a.b\n"));  // no max_age
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -5\n"));
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 5\n"));
  EXPECT_FALSE(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: *.*.b\nmax_age: 5\n"));
  EXPECT_FALSE(parse_mta_sts_policy("<html>not found</html>\n"));
}

TEST(MtaStsPolicy, FormatParsesBackEqual) {
  MtaStsPolicy p{MtaStsMode::kEnforce, 3600, {"mx1.example.com", "*.example.com"}};
  auto again = parse_mta_sts_policy(format_mta_sts_policy(p));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, p);
}

TEST(MtaStsPolicy, MxMatching) {
  MtaStsPolicy p{MtaStsMode::kEnforce, 1, {"mail.example.com", "*.example.net"}};
  EXPECT_TRUE(mta_sts_mx_matches(p, "mail.example.com"));
  EXPECT_TRUE(mta_sts_mx_matches(p, "MAIL.Example.com."));
  EXPECT_TRUE(mta_sts_mx_matches(p, "mx1.example.net"));
  EXPECT_FALSE(mta_sts_mx_matches(p, "example.net"));          // wildcard needs a label
  EXPECT_FALSE(mta_sts_mx_matches(p, "a.mx1.example.net"));    // exactly one label
  EXPECT_FALSE(mta_sts_mx_matches(p, "other.example.com"));
}

TEST(MtaStsTxt, ReturnsTheId) {
  auto id = parse_mta_sts_txt("v=STSv1; id=20160831085700Z;");
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(*id, "20160831085700Z");
  auto spaced = parse_mta_sts_txt("v=STSv1;id=abc ; ext=1");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(*spaced, "abc");
}

TEST(MtaStsTxt, RefusesOtherRecords) {
  EXPECT_FALSE(parse_mta_sts_txt("v=spf1 -all"));
  EXPECT_FALSE(parse_mta_sts_txt("id=1; v=STSv1"));
  EXPECT_FALSE(parse_mta_sts_txt("v=STSv1;"));                 // no id
  EXPECT_FALSE(parse_mta_sts_txt("v=STSv1; id=has-dash"));
  EXPECT_FALSE(parse_mta_sts_txt(""));
}

}  // namespace
}  // namespace impulse::protocol
