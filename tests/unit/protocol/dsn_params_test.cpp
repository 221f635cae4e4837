// Tests for protocol/dsn_params.hpp and the DSN/SMTPUTF8 parameters of
// protocol/smtp_command.hpp: RFC 3461 syntax, xtext both ways, UTF-8 paths.
#include "protocol/dsn_params.hpp"

#include <gtest/gtest.h>

#include "protocol/smtp_command.hpp"

namespace impulse::protocol {
namespace {

TEST(DsnParams, Notify) {
  EXPECT_EQ(*parse_notify("NEVER"), kNotifyNever);
  EXPECT_EQ(*parse_notify("never"), kNotifyNever);
  EXPECT_EQ(*parse_notify("SUCCESS,FAILURE"), kNotifySuccess | kNotifyFailure);
  EXPECT_EQ(*parse_notify("delay"), kNotifyDelay);
  EXPECT_FALSE(parse_notify("NEVER,SUCCESS"));
  EXPECT_FALSE(parse_notify("SUCCESS,SUCCESS"));
  EXPECT_FALSE(parse_notify("SUCCESS,"));
  EXPECT_FALSE(parse_notify("SOMETIMES"));
  EXPECT_EQ(format_notify(kNotifySuccess | kNotifyDelay), "SUCCESS,DELAY");
  EXPECT_EQ(format_notify(kNotifyNever), "NEVER");
  EXPECT_EQ(format_notify(0), "");
}

TEST(DsnParams, Ret) {
  EXPECT_EQ(*parse_ret("HDRS"), kRetHdrs);
  EXPECT_EQ(*parse_ret("full"), kRetFull);
  EXPECT_FALSE(parse_ret("BODY"));
  EXPECT_EQ(format_ret(kRetHdrs), "HDRS");
  EXPECT_EQ(format_ret(kRetUnspecified), "");
}

TEST(DsnParams, XtextRoundTrip) {
  EXPECT_EQ(*xtext_decode("a+2Bb+3Dc"), "a+b=c");
  EXPECT_FALSE(xtext_decode("a+2"));
  EXPECT_FALSE(xtext_decode("a+2b"));  // HEXCHAR is upper case
  EXPECT_FALSE(xtext_decode("a=b"));
  EXPECT_FALSE(xtext_decode("a\xc3\xa9"));
  EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
  const std::string odd = "x+y=z \x01\x7f";
  EXPECT_EQ(*xtext_decode(xtext_encode(odd)), odd);
}

TEST(DsnParams, EnvidAndOrcpt) {
  EXPECT_EQ(*parse_envid("QQ314159+2B1"), "QQ314159+1");
  EXPECT_FALSE(parse_envid(std::string(101, 'a')));
  EXPECT_EQ(*parse_orcpt("rfc822;bob+2Bx@example.com"), "rfc822;bob+x@example.com");
  EXPECT_EQ(*parse_orcpt("utf-8;j\xc3\xb6rg@example.com"), "utf-8;j\xc3\xb6rg@example.com");
  EXPECT_FALSE(parse_orcpt("rfc822;j\xc3\xb6rg@example.com"));
  EXPECT_FALSE(parse_orcpt("utf-8;\xc3"));
  EXPECT_FALSE(parse_orcpt("bob@example.com"));
  EXPECT_FALSE(parse_orcpt("rfc822;"));
  EXPECT_FALSE(parse_orcpt("rfc 822;a@b"));
  EXPECT_EQ(format_orcpt("rfc822;bob+x@example.com"), "rfc822;bob+2Bx@example.com");
  EXPECT_EQ(format_orcpt("bob@example.com"), "rfc822;bob@example.com");
}

TEST(DsnParams, Utf8Validity) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("j\xc3\xb6rg \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_TRUE(has_8bit("\xc3\xa9"));
  EXPECT_FALSE(has_8bit("ascii"));
}

TEST(DsnParams, MailAndRcptCarryThem) {
  auto mail = parse_command("MAIL FROM:<a@b.example> RET=HDRS ENVID=id+2B1 SMTPUTF8");
  ASSERT_TRUE(mail) << mail.error().detail;
  EXPECT_EQ(mail->dsn_ret, kRetHdrs);
  EXPECT_EQ(mail->dsn_envid, "id+1");
  EXPECT_TRUE(mail->smtputf8);
  auto rcpt = parse_command("RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@d.example");
  ASSERT_TRUE(rcpt) << rcpt.error().detail;
  EXPECT_EQ(rcpt->dsn_notify, kNotifySuccess | kNotifyFailure);
  EXPECT_EQ(rcpt->dsn_orcpt, "rfc822;c@d.example");
  EXPECT_EQ(parse_command("RCPT TO:<c@d.example> NOTIFY=NEVER NOTIFY=NEVER").error().kind,
            CommandErrorKind::BadParameter);
  EXPECT_EQ(parse_command("RCPT TO:<c@d.example> NOTIFY=MAYBE").error().kind, CommandErrorKind::BadParameter);
  EXPECT_EQ(parse_command("MAIL FROM:<a@b.example> SMTPUTF8=yes").error().kind, CommandErrorKind::BadParameter);
  EXPECT_EQ(parse_command("MAIL FROM:<a@b.example> ENVID=a=b").error().kind, CommandErrorKind::Syntax);
}

TEST(DsnParams, Utf8PathsNeedSmtputf8) {
  auto mail = parse_command("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc" "cher.example> SMTPUTF8");
  ASSERT_TRUE(mail) << mail.error().detail;
  EXPECT_TRUE(mail->path.utf8);
  EXPECT_EQ(mail->path.address(), "j\xc3\xb6rg@b\xc3\xbc" "cher.example");
  EXPECT_EQ(parse_command("MAIL FROM:<j\xc3\xb6rg@b.example>").error().kind, CommandErrorKind::BadSender);
  EXPECT_EQ(parse_command("RCPT TO:<j\xc3\xb6rg@b.example>").error().kind, CommandErrorKind::BadRecipient);
  auto rcpt = parse_command("RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b.example>", /*utf8_paths=*/true);
  ASSERT_TRUE(rcpt) << rcpt.error().detail;
  EXPECT_TRUE(rcpt->path.utf8);
  EXPECT_EQ(parse_command("RCPT TO:<j\xc3@b.example>", true).error().kind, CommandErrorKind::BadRecipient);
  auto ascii = parse_command("RCPT TO:<a@b.example> ORCPT=utf-8;j\xc3\xb6rg@b.example", true);
  ASSERT_TRUE(ascii) << ascii.error().detail;
  EXPECT_FALSE(ascii->path.utf8);
  EXPECT_EQ(ascii->dsn_orcpt, "utf-8;j\xc3\xb6rg@b.example");
  EXPECT_FALSE(parse_command("RCPT TO:<a@b.example> ORCPT=utf-8;j\xc3\xb6rg@b.example"));
}

}  // namespace
}  // namespace impulse::protocol
