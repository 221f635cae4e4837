// Tests for outbound SMTP AUTH's pure parts: the AUTH mechanisms and
// BINARYMIME read from an EHLO reply (capabilities.hpp), the loopback rule
// (smtp_auth.hpp), and the AUTH set-up phase's outcomes (session_outcome.hpp:
// a refusal is transient, host-scoped, with the server's words).
#include <gtest/gtest.h>

#include "delivery/smtp/capabilities.hpp"
#include "delivery/smtp/session_outcome.hpp"
#include "delivery/smtp/smtp_auth.hpp"

namespace impulse::delivery::smtp {
namespace {

TEST(SmtpAuthClient, AuthMechanismsAreParsed) {
  const auto caps = parse_capabilities({"mx.test", "AUTH PLAIN login", "CHUNKING", "BINARYMIME"});
  EXPECT_TRUE(caps.auth_supports("PLAIN"));
  EXPECT_TRUE(caps.auth_supports("login"));
  EXPECT_FALSE(caps.auth_supports("CRAM-MD5"));
  EXPECT_TRUE(caps.chunking);
  EXPECT_TRUE(caps.binarymime);
  EXPECT_FALSE(parse_capabilities({"mx.test", "PIPELINING"}).auth_supports("PLAIN"));
}

TEST(SmtpAuthClient, LoopbackTargets) {
  EXPECT_TRUE(loopback_address("127.0.0.1"));
  EXPECT_TRUE(loopback_address("127.4.5.6"));
  EXPECT_TRUE(loopback_address("::1"));
  EXPECT_TRUE(loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(loopback_address("192.0.2.1"));
  EXPECT_FALSE(loopback_address("2001:db8::1"));
  EXPECT_FALSE(loopback_address("localhost"));
}

TEST(SmtpAuthClient, CredentialsGoInTheClearOnlyToLoopbackOrAUnixSocket) {
  EXPECT_FALSE(auth_may_be_sent(false, false, "192.0.2.1"));
  EXPECT_FALSE(auth_may_be_sent(false, false, "2001:db8::1"));
  EXPECT_TRUE(auth_may_be_sent(true, false, "192.0.2.1"));
  EXPECT_TRUE(auth_may_be_sent(false, false, "127.0.0.1"));
  EXPECT_TRUE(auth_may_be_sent(false, true, "/run/lmtp.sock"));
}

TEST(SmtpAuthClient, RefusalIsTransientWithTheServersWords) {
  const OutcomeContext ctx{"192.0.2.1", "mx.test", 0};
  Reply reply;
  reply.code = 535;
  reply.text = "535 5.7.8 Error: authentication failed";
  const auto o = map_reply(Phase::kAuth, reply, queue::Scope::kMessage, ctx);
  EXPECT_EQ(o.disposition, queue::Disposition::kTransient);
  EXPECT_EQ(o.scope, queue::Scope::kHost);
  EXPECT_EQ(o.reply, "535 5.7.8 Error: authentication failed");
  const auto no_tls = map_failure(SessionFailure{Phase::kAuth, FailureKind::kAuthUnavailable,
                                                 "451 4.7.0 [internal] AUTH not sent without TLS to a remote host", {}},
                                  ctx);
  EXPECT_EQ(no_tls.disposition, queue::Disposition::kTransient);
  EXPECT_EQ(no_tls.reply, "451 4.7.0 [internal] AUTH not sent without TLS to a remote host");
  const auto silent = map_failure(SessionFailure{Phase::kAuth, FailureKind::kTimeout, {}, {}}, ctx);
  EXPECT_EQ(silent.reply, "451 4.4.2 [internal] no AUTH response");
}

}  // namespace
}  // namespace impulse::delivery::smtp
