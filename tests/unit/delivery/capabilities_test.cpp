// Unit tests for delivery/smtp/capabilities.hpp.
#include "delivery/smtp/capabilities.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

TEST(Capabilities, PostfixStyleReply) {
  const auto caps = parse_capabilities({"mx.test", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "STARTTLS",
                                        "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"});
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 10240000u);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_TRUE(caps.eightbitmime);
  EXPECT_TRUE(caps.dsn);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.chunking);
  EXPECT_FALSE(caps.xclient);
}

TEST(Capabilities, KeywordsAreCaseInsensitive) {
  const auto caps = parse_capabilities({"mx", "pipelining", "StartTLS", "8bitmime", "size", "EnhancedStatusCodes"});
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.eightbitmime);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 0u);
}

TEST(Capabilities, GreetingLineIsNeverAKeyword) {
  const auto caps = parse_capabilities({"PIPELINING"});
  EXPECT_FALSE(caps.pipelining);
  EXPECT_FALSE(parse_capabilities({}).pipelining);
}

TEST(Capabilities, SizeValues) {
  EXPECT_EQ(parse_capabilities({"mx", "SIZE 0"}).size_limit, 0u);
  EXPECT_EQ(parse_capabilities({"mx", "SIZE  52428800"}).size_limit, 52428800u);
  EXPECT_EQ(parse_capabilities({"mx", "SIZE abc"}).size_limit, 0u);
  EXPECT_EQ(parse_capabilities({"mx", "SIZE 99999999999999999999999"}).size_limit, 0u);
  EXPECT_TRUE(parse_capabilities({"mx", "SIZE abc"}).size);
  EXPECT_FALSE(parse_capabilities({"mx", "SIZER 10"}).size);
}

TEST(Capabilities, XclientAttributes) {
  const auto caps = parse_capabilities({"mx", "XCLIENT name ADDR Proto HELO", "XFORWARD NAME ADDR"});
  EXPECT_TRUE(caps.xclient);
  EXPECT_EQ(caps.xclient_attributes, (std::vector<std::string>{"NAME", "ADDR", "PROTO", "HELO"}));
  EXPECT_TRUE(caps.xclient_supports("addr"));
  EXPECT_TRUE(caps.xclient_supports("PROTO"));
  EXPECT_FALSE(caps.xclient_supports("LOGIN"));
}

TEST(Capabilities, UnknownKeywordsAndBlankLinesAreIgnored) {
  const auto caps = parse_capabilities({"mx", "", "   ", "X-EXPS LOGIN", "AUTH PLAIN LOGIN", "PIPELINING"});
  EXPECT_TRUE(caps.pipelining);
  EXPECT_FALSE(caps.starttls);
}

}  // namespace
}  // namespace impulse::delivery::smtp
