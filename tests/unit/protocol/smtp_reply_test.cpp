// Tests for protocol/smtp_reply.hpp: reply wire format.
#include "protocol/smtp_reply.hpp"

#include <gtest/gtest.h>

namespace impulse::protocol {
namespace {

TEST(SmtpReply, SingleLineWithEnhancedCode) {
  EXPECT_EQ(format_reply(250, "2.1.0", "Ok"), "250 2.1.0 Ok\r\n");
}

TEST(SmtpReply, SingleLineWithoutEnhancedCode) {
  EXPECT_EQ(format_reply(220, "", "mx.example ESMTP Impulse"), "220 mx.example ESMTP Impulse\r\n");
}

TEST(SmtpReply, BareCodeWhenNoText) { EXPECT_EQ(format_reply(250, "", ""), "250\r\n"); }

TEST(SmtpReply, MultiLineUsesDashOnAllButLast) {
  EXPECT_EQ(format_reply(250, "", std::vector<std::string>{"mx.example", "PIPELINING", "8BITMIME"}),
            "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
}

TEST(SmtpReply, MultiLineRepeatsEnhancedCodeOnEveryLine) {
  EXPECT_EQ(format_reply(214, "2.0.0", std::vector<std::string>{"a", "b"}), "214-2.0.0 a\r\n214 2.0.0 b\r\n");
}

TEST(SmtpReply, EmptyLineListGivesBareCode) {
  EXPECT_EQ(format_reply(250, "", std::vector<std::string>{}), "250\r\n");
}

TEST(SmtpReply, ControlCharactersCannotInjectLines) {
  EXPECT_EQ(format_reply(451, "4.3.0", "disk\r\n250 ok\0x"), "451 4.3.0 disk  250 ok\r\n");
  EXPECT_EQ(format_reply(451, "4.3.0", std::string_view("a\r\nb\0c", 6)), "451 4.3.0 a  b c\r\n");
}

TEST(SmtpReply, LongTextIsCutToTheReplyLineLimit) {
  const std::string out = format_reply(550, "5.7.1", std::string(2000, 'x'));
  EXPECT_EQ(out.size(), kMaxReplyLine);
  EXPECT_EQ(out.substr(out.size() - 2), "\r\n");
  EXPECT_EQ(out.substr(0, 10), "550 5.7.1 ");
}

}  // namespace
}  // namespace impulse::protocol
