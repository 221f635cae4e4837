// Tests for protocol/smtp_auth.hpp, smtp_bdat.hpp and smtp_auth_passwords.hpp:
// the AUTH exchange (PLAIN with and without an initial response, LOGIN,
// cancel, bad base64, proxy authorization refused), the client's lines,
// BDAT arguments and the password file syntax.
#include "protocol/smtp_auth.hpp"

#include <gtest/gtest.h>

#include "protocol/base64.hpp"
#include "protocol/smtp_auth_passwords.hpp"
#include "protocol/smtp_bdat.hpp"

namespace impulse::protocol {
namespace {

using Kind = AuthServerExchange::Kind;

std::string b64(std::string_view s) { return encode_base64(s); }

TEST(SmtpAuth, EncodeBase64PadsAndRoundTrips) {
  EXPECT_EQ(encode_base64(""), "");
  EXPECT_EQ(encode_base64("f"), "Zg==");
  EXPECT_EQ(encode_base64("fo"), "Zm8=");
  EXPECT_EQ(encode_base64("foo"), "Zm9v");
  EXPECT_EQ(encode_base64(std::string("\0u\0p", 4)), "AHUAcA==");
  EXPECT_EQ(*decode_base64(encode_base64("\xff\xfe any bytes")), "\xff\xfe any bytes");
}

TEST(SmtpAuth, PlainWithInitialResponseGivesCredentials) {
  AuthServerExchange x;
  auto s = x.start("PLAIN " + b64(std::string("\0alice\0s3cret", 13)));
  ASSERT_EQ(s.kind, Kind::kCredentials);
  EXPECT_EQ(s.credentials.user, "alice");
  EXPECT_EQ(s.credentials.password, "s3cret");
  EXPECT_FALSE(s.credentials.authzid_refused);
  EXPECT_FALSE(x.awaiting_response());
}

TEST(SmtpAuth, PlainWithoutInitialResponseChallengesEmpty) {
  AuthServerExchange x;
  auto s = x.start("plain");
  ASSERT_EQ(s.kind, Kind::kChallenge);
  EXPECT_EQ(s.challenge, "");
  EXPECT_TRUE(x.awaiting_response());
  s = x.respond(b64(std::string("alice\0alice\0pw", 14)));
  ASSERT_EQ(s.kind, Kind::kCredentials);
  EXPECT_EQ(s.credentials.user, "alice");
  EXPECT_EQ(s.credentials.password, "pw");
  EXPECT_FALSE(s.credentials.authzid_refused);  // authzid equal to the user is fine
}

TEST(SmtpAuth, PlainActingAsSomeoneElseIsFlagged) {
  AuthServerExchange x;
  auto s = x.start("PLAIN " + b64(std::string("root\0alice\0pw", 13)));
  ASSERT_EQ(s.kind, Kind::kCredentials);
  EXPECT_TRUE(s.credentials.authzid_refused);
}

TEST(SmtpAuth, LoginAsksUserThenPassword) {
  AuthServerExchange x;
  auto s = x.start("LOGIN");
  ASSERT_EQ(s.kind, Kind::kChallenge);
  EXPECT_EQ(s.challenge, "VXNlcm5hbWU6");
  s = x.respond(b64("bob"));
  ASSERT_EQ(s.kind, Kind::kChallenge);
  EXPECT_EQ(s.challenge, "UGFzc3dvcmQ6");
  s = x.respond(b64("hunter2"));
  ASSERT_EQ(s.kind, Kind::kCredentials);
  EXPECT_EQ(s.credentials.user, "bob");
  EXPECT_EQ(s.credentials.password, "hunter2");
}

TEST(SmtpAuth, LoginWithUserAsInitialResponse) {
  AuthServerExchange x;
  auto s = x.start("LOGIN " + b64("bob"));
  ASSERT_EQ(s.kind, Kind::kChallenge);
  EXPECT_EQ(s.challenge, "UGFzc3dvcmQ6");
  s = x.respond(b64("pw"));
  ASSERT_EQ(s.kind, Kind::kCredentials);
  EXPECT_EQ(s.credentials.user, "bob");
}

TEST(SmtpAuth, ErrorsEndTheExchange) {
  AuthServerExchange x;
  EXPECT_EQ(x.start("").error.kind, AuthErrorKind::kSyntax);
  EXPECT_EQ(x.start("CRAM-MD5").error.kind, AuthErrorKind::kUnsupportedMechanism);
  EXPECT_EQ(x.start("PLAIN a b").error.kind, AuthErrorKind::kSyntax);
  EXPECT_EQ(x.start("PLAIN !!!!").error.kind, AuthErrorKind::kBadBase64);
  EXPECT_EQ(x.start("PLAIN " + b64("no-nul")).error.kind, AuthErrorKind::kBadBase64);
  ASSERT_EQ(x.start("LOGIN").kind, Kind::kChallenge);
  auto s = x.respond("*");
  EXPECT_EQ(s.kind, Kind::kError);
  EXPECT_EQ(s.error.kind, AuthErrorKind::kCancelled);
  EXPECT_FALSE(x.awaiting_response());
  EXPECT_EQ(x.respond(b64("x")).kind, Kind::kError);  // nothing in progress
}

TEST(SmtpAuth, ClientLines) {
  EXPECT_EQ(format_auth_plain("alice", "pw"), "AUTH PLAIN " + b64(std::string("\0alice\0pw", 9)) + "\r\n");
  EXPECT_EQ(format_auth_login(), "AUTH LOGIN\r\n");
  EXPECT_EQ(format_auth_response("bob"), "Ym9i\r\n");
}

TEST(SmtpBdat, Arguments) {
  auto c = parse_bdat_arguments("100 LAST");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size, 100u);
  EXPECT_TRUE(c->last);
  c = parse_bdat_arguments("0 last");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size, 0u);
  EXPECT_TRUE(c->last);
  c = parse_bdat_arguments("42");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->last);
  EXPECT_FALSE(parse_bdat_arguments(""));
  EXPECT_FALSE(parse_bdat_arguments("-1"));
  EXPECT_FALSE(parse_bdat_arguments("10 FIRST"));
  EXPECT_FALSE(parse_bdat_arguments("99999999999999999999"));
  EXPECT_EQ(format_bdat(12, false), "BDAT 12\r\n");
  EXPECT_EQ(format_bdat(0, true), "BDAT 0 LAST\r\n");
}

TEST(SmtpAuthPasswords, ParsesUsersAndSkipsCommentsAndBlankLines) {
  auto r = parse_password_file("# users\nalice:$y$j9T$abc$def\r\n\nbob:$6$salt$hash\n");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].user, "alice");
  EXPECT_EQ((*r)[0].hash, "$y$j9T$abc$def");
  EXPECT_EQ((*r)[1].user, "bob");
}

TEST(SmtpAuthPasswords, ErrorsNameTheLine) {
  EXPECT_EQ(parse_password_file("alice:$6$s$h\nbob\n").error(), "line 2: expected user:hash");
  EXPECT_EQ(parse_password_file("a:$6$s$h\na:$6$t$h\n").error(), "line 2: user a given twice");
  EXPECT_EQ(parse_password_file("a:plaintext\n").error(), "line 1: the hash of a is not in a crypt(3) format");
  EXPECT_EQ(parse_password_file(":$6$s$h\n").error(), "line 1: expected user:hash");
}

}  // namespace
}  // namespace impulse::protocol
