// Tests for protocol/enhanced_status.hpp: RFC 3463 parsing, range checks,
// extraction from replies and the reply-code defaults.
#include "protocol/enhanced_status.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;

TEST(EnhancedStatus, ParsesCanonicalToken) {
  auto st = parse_enhanced_status("5.1.1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->klass, 5);
  EXPECT_EQ(st->subject, 1);
  EXPECT_EQ(st->detail, 1);
  EXPECT_EQ(st->to_string(), "5.1.1");
}

TEST(EnhancedStatus, ParsesThreeDigitDetail) {
  auto st = parse_enhanced_status("5.1.10");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->detail, 10);
  st = parse_enhanced_status("4.7.999");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->detail, 999);
}

TEST(EnhancedStatus, LeadingZerosAcceptedButDroppedOnOutput) {
  auto st = parse_enhanced_status("5.01.001");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "5.1.1");
}

TEST(EnhancedStatus, RejectsBadClass) {
  EXPECT_FALSE(parse_enhanced_status("3.1.1"));
  EXPECT_FALSE(parse_enhanced_status("1.0.0"));
  EXPECT_FALSE(parse_enhanced_status("9.9.9"));
  EXPECT_FALSE(parse_enhanced_status("55.1.1"));
}

TEST(EnhancedStatus, RejectsSubjectOutOfRange) {
  EXPECT_FALSE(parse_enhanced_status("5.8.1"));
  EXPECT_FALSE(parse_enhanced_status("5.10.1"));
  EXPECT_TRUE(parse_enhanced_status("5.7.1"));
  EXPECT_TRUE(parse_enhanced_status("2.0.0"));
}

TEST(EnhancedStatus, RejectsDetailOutOfRangeOrTooManyDigits) {
  EXPECT_FALSE(parse_enhanced_status("5.1.1000"));
  EXPECT_FALSE(parse_enhanced_status("5.1.0001"));
}

TEST(EnhancedStatus, RejectsMalformedTokens) {
  for (const char* bad : {"", "5", "5.", "5.1", "5.1.", "5..1", ".1.1", "5.1.1.", "5.1.1x", "5.1.1 ", "5-1-1",
                          "5.a.1", "5.1.-1", "+5.1.1", " 5.1.1"})
    EXPECT_FALSE(parse_enhanced_status(bad)) << bad;
}

TEST(EnhancedStatus, ExtractsFromSingleLineReply) {
  auto st = extract_enhanced_status("550 5.1.1 <x@y>: Recipient address rejected");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "5.1.1");
}

TEST(EnhancedStatus, ExtractsFromMultilineReplyFirstLine) {
  auto st = extract_enhanced_status("550-5.7.1 [1.2.3.4] Our system has detected\r\n550-5.7.1 more\r\n550 5.7.1 end");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "5.7.1");
  // Only the first line counts.
  EXPECT_FALSE(extract_enhanced_status("550-no code here\r\n550 5.1.1 second line"));
}

TEST(EnhancedStatus, ExtractsFromBareCodeAndStatus) {
  auto st = extract_enhanced_status("452 4.2.2");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "4.2.2");
  st = extract_enhanced_status("452 4.2.2\r\n");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "4.2.2");
}

TEST(EnhancedStatus, ExtractsFromTextWithoutReplyCode) {
  auto st = extract_enhanced_status("5.2.2 Mailbox full");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->to_string(), "5.2.2");
}

TEST(EnhancedStatus, NoStatusInPlainReply) {
  EXPECT_FALSE(extract_enhanced_status("550 No such user here"));
  EXPECT_FALSE(extract_enhanced_status("421 no adequate servers"));
  EXPECT_FALSE(extract_enhanced_status("550 5.1.1user glued"));
  EXPECT_FALSE(extract_enhanced_status(""));
}

TEST(EnhancedStatus, InternalTextsCarryTheirStatus) {
  auto st = extract_enhanced_status("554 5.4.7 [internal] exceeded max retries without delivery");
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, (EnhancedStatus{5, 4, 7}));
}

TEST(EnhancedStatus, ReplyCodeParsing) {
  EXPECT_EQ(parse_reply_code("550 x"), 550);
  EXPECT_EQ(parse_reply_code("250-ok"), 250);
  EXPECT_EQ(parse_reply_code("421"), 421);
  EXPECT_FALSE(parse_reply_code("650 x"));
  EXPECT_FALSE(parse_reply_code("150 x"));
  EXPECT_FALSE(parse_reply_code("55"));
  EXPECT_FALSE(parse_reply_code("5500 x"));
  EXPECT_FALSE(parse_reply_code("5a0 x"));
}

TEST(EnhancedStatus, DefaultsFromReplyCode) {
  EXPECT_EQ(default_enhanced_status(250), (EnhancedStatus{2, 0, 0}));
  EXPECT_EQ(default_enhanced_status(451), (EnhancedStatus{4, 0, 0}));
  EXPECT_EQ(default_enhanced_status(554), (EnhancedStatus{5, 0, 0}));
  EXPECT_FALSE(default_enhanced_status(354));
  EXPECT_FALSE(default_enhanced_status(0));
  EXPECT_FALSE(default_enhanced_status(999));
}

TEST(EnhancedStatus, StatusOfReplyPrefersMatchingEnhancedCode) {
  EXPECT_EQ(status_of_reply("550 5.1.1 unknown")->to_string(), "5.1.1");
  EXPECT_EQ(status_of_reply("550 No such user")->to_string(), "5.0.0");
  EXPECT_EQ(status_of_reply("421 4.4.0 [internal] no MXs")->to_string(), "4.4.0");
  // A status whose class contradicts the reply code is ignored (RFC 2034).
  EXPECT_EQ(status_of_reply("550 4.2.2 confused")->to_string(), "5.0.0");
  EXPECT_EQ(status_of_reply("5.2.2 text only")->to_string(), "5.2.2");
  EXPECT_FALSE(status_of_reply("garbage"));
}
