// Tests for protocol/smtp_command.hpp: every command, path form, parameter
// and length limit the ESMTP listener relies on.
#include "protocol/smtp_command.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace impulse::protocol {
namespace {

Command ok(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(r.has_value()) << "line: " << line << " error: " << (r ? "" : r.error().detail);
  return r ? *r : Command{};
}

CommandErrorKind err(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_FALSE(r.has_value()) << "line unexpectedly parsed: " << line;
  return r ? CommandErrorKind::Syntax : r.error().kind;
}

TEST(SmtpCommand, VerbsAreCaseInsensitive) {
  EXPECT_EQ(ok("ehlo client.example").verb, Verb::Ehlo);
  EXPECT_EQ(ok("HeLo client.example").verb, Verb::Helo);
  EXPECT_EQ(ok("data").verb, Verb::Data);
  EXPECT_EQ(ok("RSET").verb, Verb::Rset);
  EXPECT_EQ(ok("noop").verb, Verb::Noop);
  EXPECT_EQ(ok("QUIT").verb, Verb::Quit);
  EXPECT_EQ(ok("StartTLS").verb, Verb::Starttls);
  EXPECT_EQ(ok("HELP").verb, Verb::Help);
  EXPECT_EQ(ok("VRFY postmaster").verb, Verb::Vrfy);
}

TEST(SmtpCommand, UnknownVerbIsUnrecognized) {
  EXPECT_EQ(err("BDAT 100 LAST"), CommandErrorKind::Unrecognized);
  EXPECT_EQ(err("FOO"), CommandErrorKind::Unrecognized);
  EXPECT_EQ(err(""), CommandErrorKind::Unrecognized);
  EXPECT_EQ(err(" EHLO x"), CommandErrorKind::Unrecognized);
  EXPECT_EQ(err("MAILFROM:<a@b>"), CommandErrorKind::Unrecognized);
  EXPECT_EQ(err("EXPN list"), CommandErrorKind::Unrecognized);
}

TEST(SmtpCommand, EhloKeepsItsArgumentAndNeedsOne) {
  EXPECT_EQ(ok("EHLO client.example").argument, "client.example");
  EXPECT_EQ(ok("EHLO [127.0.0.1]").argument, "[127.0.0.1]");
  EXPECT_EQ(ok("EHLO   spaced.example  ").argument, "spaced.example");
  EXPECT_EQ(err("EHLO"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("HELO "), CommandErrorKind::Syntax);
  EXPECT_EQ(err(std::string_view("EHLO a\0b", 8)), CommandErrorKind::Syntax);
}

TEST(SmtpCommand, ArgumentlessCommandsRejectArguments) {
  EXPECT_EQ(err("DATA now"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("RSET x"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("QUIT please"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("STARTTLS x"), CommandErrorKind::Syntax);
  EXPECT_EQ(ok("DATA ").verb, Verb::Data);  // trailing space tolerated
  EXPECT_EQ(ok("NOOP anything goes").argument, "anything goes");
  EXPECT_EQ(err("VRFY"), CommandErrorKind::Syntax);
}

TEST(SmtpCommand, MailFromPlainAddress) {
  Command c = ok("MAIL FROM:<alice@example.com>");
  EXPECT_EQ(c.verb, Verb::Mail);
  EXPECT_EQ(c.path.local_part, "alice");
  EXPECT_EQ(c.path.domain, "example.com");
  EXPECT_EQ(c.path.address(), "alice@example.com");
  EXPECT_FALSE(c.path.null);
  EXPECT_FALSE(c.size.has_value());
  EXPECT_EQ(c.body, BodyType::Unspecified);
}

TEST(SmtpCommand, KeywordsCaseInsensitiveAndSpaceAfterColonTolerated) {
  EXPECT_EQ(ok("mail from:<a@b.example>").path.address(), "a@b.example");
  EXPECT_EQ(ok("MAIL FROM: <a@b.example>").path.address(), "a@b.example");
  EXPECT_EQ(ok("rcpt To:  <c@d.example>").path.address(), "c@d.example");
}

TEST(SmtpCommand, NullReversePath) {
  Command c = ok("MAIL FROM:<>");
  EXPECT_TRUE(c.path.null);
  EXPECT_EQ(c.path.address(), "");
  EXPECT_EQ(err("RCPT TO:<>"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, PostmasterOnlyAsRecipient) {
  Command c = ok("RCPT TO:<Postmaster>");
  EXPECT_TRUE(c.path.is_postmaster());
  EXPECT_EQ(c.path.address(), "Postmaster");
  EXPECT_EQ(err("MAIL FROM:<postmaster>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("RCPT TO:<alice>"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, QuotedLocalPart) {
  Command c = ok(R"(RCPT TO:<"john smith"@example.com>)");
  EXPECT_EQ(c.path.local_part, R"("john smith")");
  EXPECT_EQ(c.path.address(), R"("john smith"@example.com)");
  EXPECT_EQ(ok(R"(RCPT TO:<"a\"b>c"@example.com>)").path.local_part, R"("a\"b>c")");
  EXPECT_EQ(err(R"(RCPT TO:<"unterminated@example.com>)"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, SourceRouteIsDropped) {
  Command c = ok("RCPT TO:<@relay1.example,@relay2.example:bob@example.com>");
  EXPECT_EQ(c.path.address(), "bob@example.com");
  EXPECT_EQ(ok("MAIL FROM:<@a.example:x@y.example>").path.address(), "x@y.example");
  EXPECT_EQ(err("RCPT TO:<@:bob@example.com>"), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err("RCPT TO:<@a.example bob@example.com>"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, AddressLiterals) {
  EXPECT_EQ(ok("RCPT TO:<u@[192.0.2.1]>").path.domain, "[192.0.2.1]");
  EXPECT_EQ(ok("RCPT TO:<u@[IPv6:2001:db8::1]>").path.domain, "[IPv6:2001:db8::1]");
  EXPECT_EQ(ok("RCPT TO:<u@[x-tag:whatever]>").path.domain, "[x-tag:whatever]");
  EXPECT_EQ(err("RCPT TO:<u@[300.0.0.1]>"), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err("RCPT TO:<u@[1.2.3]>"), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err("RCPT TO:<u@[]>"), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err("RCPT TO:<u@[IPv6:zz::1]>"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, MalformedPaths) {
  EXPECT_EQ(err("MAIL FROM:alice@example.com"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<alice@example.com"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<alice@>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<@example.com>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a..b@example.com>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<.a@example.com>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a b@example.com>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a@-bad.example>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a@bad-.example>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a@example..com>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("MAIL FROM:<a@example.com.>"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("RCPT TO:<b\xc3\xa9@example.com>"), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err(std::string_view("RCPT TO:<b\0@example.com>", 25)), CommandErrorKind::BadRecipient);
  EXPECT_EQ(err("RCPT TO:<b@example.com>>"), CommandErrorKind::Syntax);
}

TEST(SmtpCommand, MissingFromOrTo) {
  EXPECT_EQ(err("MAIL"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("MAIL TO:<a@b.example>"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("RCPT FROM:<a@b.example>"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("RCPT <a@b.example>"), CommandErrorKind::Syntax);
}

TEST(SmtpCommand, LocalPartLimitIs64Octets) {
  const std::string l64(64, 'a');
  EXPECT_EQ(ok("RCPT TO:<" + l64 + "@example.com>").path.local_part, l64);
  EXPECT_EQ(err("RCPT TO:<" + l64 + "a@example.com>"), CommandErrorKind::BadRecipient);
}

TEST(SmtpCommand, DomainLimitIs255OctetsAndPathLimit256) {
  const std::string l63(63, 'd');
  auto domain_of = [&](std::size_t last_label) { return l63 + "." + l63 + "." + l63 + "." + std::string(last_label, 'e'); };
  std::string d252 = domain_of(60);
  ASSERT_EQ(d252.size(), 252u);
  ASSERT_NE(d252.back(), '.');
  // "<" + "a" + "@" + 252 + ">" = 256: at the limit.
  EXPECT_EQ(ok("RCPT TO:<a@" + d252 + ">").path.domain, d252);
  // One more octet in the local part makes the path 257.
  EXPECT_EQ(err("RCPT TO:<ab@" + d252 + ">"), CommandErrorKind::BadRecipient);
  std::string d256 = domain_of(62) + ".f";
  ASSERT_EQ(d256.size(), 256u);
  ASSERT_NE(d256.back(), '.');
  EXPECT_EQ(err("MAIL FROM:<a@" + d256 + ">"), CommandErrorKind::BadSender);
  EXPECT_EQ(err("RCPT TO:<a@" + std::string(64, 'x') + ".example>"), CommandErrorKind::BadRecipient);  // label > 63
}

TEST(SmtpCommand, SizeParameter) {
  Command c = ok("MAIL FROM:<a@b.example> SIZE=12345");
  ASSERT_TRUE(c.size.has_value());
  EXPECT_EQ(*c.size, 12345u);
  EXPECT_EQ(*ok("MAIL FROM:<a@b.example> size=0").size, 0u);
  EXPECT_EQ(*ok("MAIL FROM:<a@b.example> SIZE=99999999999999999999999999").size,
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(err("MAIL FROM:<a@b.example> SIZE=12k"), CommandErrorKind::BadParameter);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> SIZE"), CommandErrorKind::BadParameter);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> SIZE="), CommandErrorKind::BadParameter);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> SIZE=1 SIZE=2"), CommandErrorKind::BadParameter);
}

TEST(SmtpCommand, BodyParameter) {
  EXPECT_EQ(ok("MAIL FROM:<a@b.example> BODY=8BITMIME").body, BodyType::EightBitMime);
  EXPECT_EQ(ok("MAIL FROM:<a@b.example> body=7bit").body, BodyType::SevenBit);
  Command both = ok("MAIL FROM:<> BODY=8BITMIME  SIZE=10");
  EXPECT_EQ(both.body, BodyType::EightBitMime);
  EXPECT_EQ(*both.size, 10u);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> BODY=BINARYMIME"), CommandErrorKind::BadParameter);
}

TEST(SmtpCommand, UnknownParametersAreUnsupported) {
  // RET and NOTIFY were here until DSN (RFC 3461) was implemented.
  EXPECT_EQ(err("MAIL FROM:<a@b.example> XFOO=HDRS"), CommandErrorKind::UnsupportedParameter);
  EXPECT_EQ(err("RCPT TO:<a@b.example> RET=HDRS"), CommandErrorKind::UnsupportedParameter);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> NOTIFY=NEVER"), CommandErrorKind::UnsupportedParameter);
  EXPECT_EQ(err("RCPT TO:<a@b.example> SIZE=10"), CommandErrorKind::UnsupportedParameter);
  EXPECT_EQ(err("MAIL FROM:<a@b.example>SIZE=10"), CommandErrorKind::Syntax);
  EXPECT_EQ(err("MAIL FROM:<a@b.example> =10"), CommandErrorKind::Syntax);
}

TEST(SmtpCommand, TrailingWhitespaceTolerated) {
  EXPECT_EQ(ok("RCPT TO:<a@b.example>  ").path.address(), "a@b.example");
  EXPECT_EQ(ok("QUIT\t").verb, Verb::Quit);
}

}  // namespace
}  // namespace impulse::protocol
