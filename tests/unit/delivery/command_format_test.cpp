// Unit tests for delivery/smtp/command_format.hpp.
#include "delivery/smtp/command_format.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

TEST(CommandFormat, Hello) {
  EXPECT_EQ(format_hello(HelloVerb::kEhlo, "mta.test"), "EHLO mta.test\r\n");
  EXPECT_EQ(format_hello(HelloVerb::kHelo, "mta.test"), "HELO mta.test\r\n");
  EXPECT_EQ(format_hello(HelloVerb::kLhlo, "mta.test"), "LHLO mta.test\r\n");
}

TEST(CommandFormat, MailFrom) {
  EXPECT_EQ(*format_mail_from("a@b.test", {}), "MAIL FROM:<a@b.test>\r\n");
  EXPECT_EQ(*format_mail_from("", {}), "MAIL FROM:<>\r\n");
  EXPECT_EQ(*format_mail_from("a@b.test", {1234, false}), "MAIL FROM:<a@b.test> SIZE=1234\r\n");
  EXPECT_EQ(*format_mail_from("a@b.test", {std::nullopt, true}), "MAIL FROM:<a@b.test> BODY=8BITMIME\r\n");
  EXPECT_EQ(*format_mail_from("a@b.test", {0, true}), "MAIL FROM:<a@b.test> SIZE=0 BODY=8BITMIME\r\n");
}

TEST(CommandFormat, PathsThatCannotBeSent) {
  EXPECT_FALSE(format_mail_from(std::string(255, 'a'), {}));
  EXPECT_TRUE(format_mail_from(std::string(254, 'a'), {}));
  EXPECT_FALSE(format_mail_from("a@b\r\nRCPT TO:<x@y>", {}));
  EXPECT_FALSE(format_rcpt_to("a\n@b"));
  EXPECT_FALSE(format_rcpt_to(""));
  EXPECT_FALSE(format_rcpt_to(std::string(255, 'a')));
  EXPECT_EQ(*format_rcpt_to("Bob@Example.COM"), "RCPT TO:<Bob@Example.COM>\r\n");
}

TEST(CommandFormat, Xtext) {
  EXPECT_EQ(xtext_encode("plain"), "plain");
  EXPECT_EQ(xtext_encode("a b+c=d"), "a+20b+2Bc+3Dd");
  EXPECT_EQ(xtext_encode(std::string("\x01\x7f\xff", 3)), "+01+7F+FF");
}

TEST(CommandFormat, XclientSendsOnlyListedAttributesWithAddrAndNameLast) {
  OriginalClient c{"192.0.2.7", "client.test", "helo name", "ESMTP"};
  EXPECT_EQ(*format_xclient(c, {"NAME", "ADDR", "PROTO", "HELO"}),
            "XCLIENT PROTO=ESMTP HELO=helo+20name ADDR=192.0.2.7 NAME=client.test\r\n");
  EXPECT_EQ(*format_xclient(c, {"ADDR"}), "XCLIENT ADDR=192.0.2.7\r\n");
  EXPECT_FALSE(format_xclient(c, {"LOGIN"}));
  EXPECT_FALSE(format_xclient(c, {}));
}

TEST(CommandFormat, XclientUnknownValues) {
  OriginalClient c{"unknown", "", "", "SMTP"};
  EXPECT_EQ(*format_xclient(c, {"NAME", "ADDR", "PROTO", "HELO"}),
            "XCLIENT PROTO=SMTP ADDR=[UNAVAILABLE] NAME=[UNAVAILABLE]\r\n");
  c.addr = "";
  EXPECT_EQ(*format_xclient(c, {"ADDR"}), "XCLIENT ADDR=[UNAVAILABLE]\r\n");
}

TEST(CommandFormat, XclientIpv6) {
  OriginalClient c{"2001:db8::1", "", "", ""};
  EXPECT_EQ(*format_xclient(c, {"ADDR"}), "XCLIENT ADDR=IPV6:2001:db8::1\r\n");
}

TEST(CommandFormat, XclientStaysWithin512Octets) {
  OriginalClient c{"192.0.2.7", std::string(250, 'n'), std::string(250, 'h'), "ESMTP"};
  const auto line = format_xclient(c, {"NAME", "ADDR", "PROTO", "HELO"});
  ASSERT_TRUE(line);
  EXPECT_LE(line->size(), kMaxCommandLine);
  EXPECT_EQ(line->find("HELO="), std::string::npos);
  EXPECT_NE(line->find("NAME="), std::string::npos);
  EXPECT_NE(line->find("ADDR=192.0.2.7"), std::string::npos);
}

}  // namespace
}  // namespace impulse::delivery::smtp
