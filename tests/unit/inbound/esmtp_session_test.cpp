// Tests for inbound/esmtp_session.hpp: the pure SMTP server state machine.
// Each bad-input case checks its exact reply; pipelined input is checked
// for order; injection success, failure and deferral are driven through
// FakeInjector.
#include "inbound/esmtp_session.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>

#include "fake_injector.hpp"

namespace impulse::inbound {
namespace {

using testing::FakeInjector;

class SessionTest : public ::testing::Test {
 protected:
  void open(bool relay = true, bool tls_offered = false) {
    settings_.hostname = "mx.test";
    SessionPeer peer{"192.0.2.7", 40000, "127.0.0.1:2525", relay, tls_offered, "6553F1A0-C0-00000001"};
    session_ = std::make_unique<EsmtpSession>(settings_, peer, injector_);
    session_->start();
    banner_ = session_->take_output();
  }
  std::string send(std::string_view bytes) {
    session_->receive(bytes);
    return session_->take_output();
  }
  // Opens and greets with EHLO.
  void greeted(bool relay = true, bool tls_offered = false) {
    open(relay, tls_offered);
    send("EHLO client.test\r\n");
  }

  ListenerSettings settings_;
  FakeInjector injector_;
  std::unique_ptr<EsmtpSession> session_;
  std::string banner_;
};

TEST_F(SessionTest, BannerNamesHostAndImpulse) {
  open();
  EXPECT_EQ(banner_, "220 mx.test ESMTP Impulse\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
}

TEST_F(SessionTest, EhloAdvertisesExtensionsWithSizeLimit) {
  settings_.max_message_size = 1000000;
  open();
  EXPECT_EQ(send("EHLO client.test\r\n"),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n");
}

TEST_F(SessionTest, EhloAdvertisesBareSizeWithoutLimitAndStarttlsWhenOffered) {
  open(true, /*tls_offered=*/true);
  EXPECT_EQ(send("ehlo client.test\r\n"),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n");
}

TEST_F(SessionTest, HeloAnswersWithoutExtensionsAndAllowsMail) {
  open();
  EXPECT_EQ(send("HELO client.test\r\n"), "250 mx.test\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
}

TEST_F(SessionTest, FullTransactionIsInjectedAndAcknowledgedWithId) {
  greeted();
  EXPECT_EQ(send("MAIL FROM:<alice@example.com> BODY=8BITMIME SIZE=20\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(send("RCPT TO:<bob@example.net>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(send("RCPT TO:<carol@example.org>\r\n"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(send("Subject: hi\r\n\r\n..dot\r\n"), "");
  EXPECT_EQ(send(".\r\n"), "250 2.0.0 Ok: queued as MSG1\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  const ReceivedMessage m = injector_.messages()[0];
  EXPECT_EQ(m.helo, "client.test");
  EXPECT_TRUE(m.esmtp);
  EXPECT_EQ(m.mail_from, "alice@example.com");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"bob@example.net", "carol@example.org"}));
  EXPECT_TRUE(m.body_8bitmime);
  EXPECT_EQ(m.data, "Subject: hi\r\n\r\n.dot\r\n");
  EXPECT_EQ(m.peer_ip, "192.0.2.7");
  EXPECT_EQ(m.peer_port, 40000);
  EXPECT_EQ(m.listener_address, "127.0.0.1:2525");
  EXPECT_FALSE(m.tls);
  // The session goes on: a second transaction on the same connection.
  EXPECT_EQ(send("MAIL FROM:<>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n.\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as MSG2\r\n");
  EXPECT_EQ(injector_.messages()[1].mail_from, "");
  EXPECT_EQ(injector_.messages()[1].data, "");
}

TEST_F(SessionTest, PipelinedGroupIsAnsweredInOrderInOneBatch) {
  open();
  const std::string out = send(
      "EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<bad>\r\nRCPT TO:<e@f.test>\r\n"
      "DATA\r\nline\r\n.\r\nNOOP\r\nRSET\r\nQUIT\r\n");
  const std::string expected =
      "250-mx.test\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n"
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n501 5.1.3 Bad recipient address syntax: address needs a domain\r\n"
      "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as MSG1\r\n"
      "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 mx.test closing connection\r\n";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
  EXPECT_EQ(injector_.messages()[0].recipients, (std::vector<std::string>{"c@d.test", "e@f.test"}));
}

TEST_F(SessionTest, CommandsAfterTheDotWaitForADeferredInjection) {
  greeted();
  injector_.defer(true);
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nbody\r\n.\r\nMAIL FROM:<x@y.test>\r\nRCPT"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::AwaitInjection);
  EXPECT_EQ(injector_.pending(), 1u);
  injector_.complete_next(std::string("ABC123"));
  EXPECT_EQ(session_->take_output(), "250 2.0.0 Ok: queued as ABC123\r\n250 2.1.0 Ok\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
  EXPECT_EQ(send(" TO:<z@y.test>\r\n"), "250 2.1.5 Ok\r\n");
}

TEST_F(SessionTest, InjectionFailureGives451AndTheSessionGoesOn) {
  greeted();
  injector_.fail_with("spool unwritable\r\n250 fake");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n451 4.3.0 spool unwritable  250 fake\r\n");
  injector_.fail_with("");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
}

TEST_F(SessionTest, FullSpoolDiskGives452AndTheSessionGoesOn) {
  // ENOSPC from the spool is "insufficient system storage" (RFC 5321
  // 4.2.3, RFC 3463 X.3.1); any other spool failure stays 451 4.3.0.
  greeted();
  injector_.defer(true);
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n");
  injector_.complete_next(unexpected(Error{"spool full", ENOSPC}));
  EXPECT_EQ(session_->take_output(), "452 4.3.1 spool full\r\n");
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n");
  injector_.complete_next(unexpected(Error{"spool broken", EIO}));
  EXPECT_EQ(session_->take_output(), "451 4.3.0 spool broken\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
}

TEST_F(SessionTest, LateCompletionAfterSessionIsGoneIsHarmless) {
  greeted();
  injector_.defer(true);
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n");
  session_.reset();
  injector_.complete_next(std::string("late"));
  SUCCEED();
}

TEST_F(SessionTest, SequenceErrors) {
  open();
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "503 5.5.1 Bad sequence of commands: send EHLO or HELO first\r\n");
  EXPECT_EQ(send("EHLO c.test\r\n").substr(0, 4), "250-");
  EXPECT_EQ(send("RCPT TO:<c@d.test>\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "503 5.5.1 Bad sequence of commands: nested MAIL command\r\n");
  EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Bad sequence of commands: send RCPT first\r\n");
  // RSET clears the transaction.
  EXPECT_EQ(send("RCPT TO:<c@d.test>\r\nRSET\r\nDATA\r\n"),
            "250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
}

TEST_F(SessionTest, EhloInsideATransactionResetsIt) {
  greeted();
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n");
  send("EHLO again.test\r\n");
  EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
}

TEST_F(SessionTest, DataWithNoValidRecipientsIs554) {
  greeted(/*relay=*/false);
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n"),
            "250 2.1.0 Ok\r\n550 5.7.1 relaying denied\r\n554 5.5.1 No valid recipients\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(SessionTest, BadSyntaxReplies) {
  greeted();
  EXPECT_EQ(send("FOO bar\r\n"), "500 5.5.1 Command unrecognized\r\n");
  EXPECT_EQ(send("EHLO\r\n"), "501 5.5.2 Syntax error: EHLO needs a hostname\r\n");
  EXPECT_EQ(send("MAIL FROM:a@b.test\r\n"), "501 5.1.7 Bad sender address syntax: address must be in angle brackets\r\n");
  EXPECT_EQ(send("MAIL TO:<a@b.test>\r\n"), "501 5.5.2 Syntax error: expected MAIL FROM:<address>\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test> SIZE=x\r\n"), "501 5.5.4 Invalid parameter: SIZE must be a number\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test> XRET=FULL\r\n"), "555 5.5.4 Parameter not recognized: unsupported parameter XRET\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(send("RCPT TO:<@>\r\n"), "501 5.1.3 Bad recipient address syntax: bad source route\r\n");
  EXPECT_EQ(send("RSET now\r\n"), "501 5.5.2 Syntax error: no arguments allowed\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
}

TEST_F(SessionTest, Smtputf8AndDsnParametersReachTheInjection) {
  greeted();
  // Without SMTPUTF8 a UTF-8 address is refused as before.
  EXPECT_EQ(send("MAIL FROM:<j\xc3\xb6rg@b.test>\r\n"),
            "501 5.1.7 Bad sender address syntax: UTF-8 address needs SMTPUTF8\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<j\xc3\xb6rg@d.test>\r\nRSET\r\n"),
            "250 2.1.0 Ok\r\n501 5.1.3 Bad recipient address syntax: UTF-8 address needs SMTPUTF8\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(send("MAIL FROM:<j\xc3\xb6rg@b.test> SMTPUTF8 RET=HDRS ENVID=env+2B1\r\n"
                 "RCPT TO:<\xe7\x94\xa8@d.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig@d.test\r\n"
                 "RCPT TO:<e@d.test> NOTIFY=NEVER\r\nRCPT TO:<f@d.test>\r\nDATA\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(send("Subject: \xc3\xa9\r\n\r\nhi\r\n.\r\n"), "250 2.0.0 Ok: queued as MSG1\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  const auto received = injector_.messages();
  const auto& env = received[0].envelope;
  EXPECT_EQ(env.sender, "j\xc3\xb6rg@b.test");
  EXPECT_TRUE(env.smtputf8);
  EXPECT_EQ(env.dsn_ret, 2);  // HDRS
  EXPECT_EQ(env.dsn_envid, "env+1");
  EXPECT_EQ(env.recipients, (std::vector<std::string>{"\xe7\x94\xa8@d.test", "e@d.test", "f@d.test"}));
  EXPECT_EQ(env.dsn_notify, (std::vector<std::uint8_t>{2 | 4, 1, 0}));
  EXPECT_EQ(env.dsn_orcpt, (std::vector<std::string>{"rfc822;orig@d.test", "", ""}));
  // The next transaction starts without them.
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<\xe7\x94\xa8@d.test>\r\n"),
            "250 2.1.0 Ok\r\n501 5.1.3 Bad recipient address syntax: UTF-8 address needs SMTPUTF8\r\n");
}

TEST_F(SessionTest, OtherCommands) {
  greeted();
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(send("VRFY bob\r\n"), "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  EXPECT_EQ(send("HELP\r\n").substr(0, 10), "214 2.0.0 ");
  EXPECT_EQ(send("STARTTLS\r\n"), "502 5.5.1 STARTTLS not available\r\n");
  EXPECT_EQ(send("QUIT\r\n"), "221 2.0.0 mx.test closing connection\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
  EXPECT_EQ(send("NOOP\r\n"), "");
}

TEST_F(SessionTest, CommandLineOf1000OctetsIsFineOver1000IsTooLong) {
  greeted();
  const std::string noop_1000 = "NOOP " + std::string(993, 'x') + "\r\n";
  ASSERT_EQ(noop_1000.size(), 1000u);
  EXPECT_EQ(send(noop_1000), "250 2.0.0 Ok\r\n");
  const std::string noop_1001 = "NOOP " + std::string(994, 'x') + "\r\n";
  EXPECT_EQ(send(noop_1001), "500 5.5.0 Line too long\r\n");
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, EndlessLineIsDroppedAndAnsweredOnceAtItsEnd) {
  greeted();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(send(std::string(4096, 'A')), "");
  EXPECT_EQ(send("AAAA\r\nNOOP\r\n"), "500 5.5.0 Line too long\r\n250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, RelayDeniedForClientsOutsideRelayHosts) {
  greeted(/*relay=*/false);
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(send("RCPT TO:<c@d.test>\r\n"), "550 5.7.1 relaying denied\r\n");
  EXPECT_EQ(send("RCPT TO:<postmaster>\r\n"), "550 5.7.1 relaying denied\r\n");
}

TEST_F(SessionTest, RelayAllowedFollowsRelayHosts) {
  ListenerSettings s;
  auto ip = [](const char* text) { return *config::parse_ip(text); };
  EXPECT_FALSE(relay_allowed(s, ip("127.0.0.1"))) << "empty Relay_Hosts must refuse everyone";
  s.relay_hosts = {*config::parse_cidr("127.0.0.0/8"), *config::parse_cidr("::1")};
  EXPECT_TRUE(relay_allowed(s, ip("127.0.0.1")));
  EXPECT_TRUE(relay_allowed(s, ip("127.3.4.5")));
  EXPECT_TRUE(relay_allowed(s, ip("::1")));
  EXPECT_TRUE(relay_allowed(s, ip("::ffff:127.0.0.9")));
  EXPECT_FALSE(relay_allowed(s, ip("192.0.2.1")));
  EXPECT_FALSE(relay_allowed(s, ip("::2")));
}

TEST_F(SessionTest, TooManyRecipientsIs452) {
  settings_.max_recipients_per_message = 2;
  greeted();
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<1@d.test>\r\nRCPT TO:<2@d.test>\r\nRCPT TO:<3@d.test>\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Too many recipients\r\n");
  send("DATA\r\nx\r\n.\r\n");
  EXPECT_EQ(injector_.messages()[0].recipients.size(), 2u);
}

TEST_F(SessionTest, DeclaredSizeOverTheLimitIs552AtMail) {
  settings_.max_message_size = 100;
  greeted();
  EXPECT_EQ(send("MAIL FROM:<a@b.test> SIZE=101\r\n"), "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test> SIZE=100\r\n"), "250 2.1.0 Ok\r\n");
}

TEST_F(SessionTest, DataOverTheLimitIsReadToTheEndThen552) {
  settings_.max_message_size = 100;
  greeted();
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(send(std::string(78, 'z') + "\r\n"), "");
  EXPECT_EQ(send(".\r\nNOOP\r\n"), "552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(injector_.count(), 0u);
  // The transaction is over: DATA needs a new MAIL.
  EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
}

TEST_F(SessionTest, DataLineOver1000OctetsIsRefused) {
  greeted();
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
  EXPECT_EQ(send(std::string(999, 'l') + "\r\n.\r\n"), "500 5.5.0 Line too long\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(SessionTest, BareLineEndsAreNormalisedAndCannotEndData) {
  greeted();
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n").substr(0, 30),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n35");
  EXPECT_EQ(send("one\ntwo\rthree\n.\nRCPT TO:<smuggled@evil.test>\r\n"), "");
  EXPECT_EQ(send("\r\n.\r\n"), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(injector_.messages()[0].data, "one\r\ntwo\r\nthree\r\n.\r\nRCPT TO:<smuggled@evil.test>\r\n\r\n");
}

TEST_F(SessionTest, DataEndSplitAcrossReadsOneOctetAtATime) {
  greeted();
  const std::string all = "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n";
  std::string out;
  for (char c : all) out += send(std::string_view(&c, 1));
  EXPECT_EQ(out,
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as MSG1\r\n221 2.0.0 mx.test closing connection\r\n");
  EXPECT_EQ(injector_.messages()[0].data, "hello\r\n");
}

TEST_F(SessionTest, TooManyErrorsCloseWith421) {
  greeted();
  std::string out;
  for (int i = 0; i < 9; ++i) out += send("BOGUS\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
  EXPECT_EQ(send("BOGUS\r\nNOOP\r\n"), "500 5.5.1 Command unrecognized\r\n421 4.7.0 mx.test Too many errors, closing connection\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
  EXPECT_EQ(send("NOOP\r\n"), "");
}

TEST_F(SessionTest, ErrorsCountAcrossKinds) {
  settings_.max_errors = 3;
  open();
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\nFOO\r\nEHLO\r\nNOOP\r\n"),
            "503 5.5.1 Bad sequence of commands: send EHLO or HELO first\r\n500 5.5.1 Command unrecognized\r\n"
            "501 5.5.2 Syntax error: EHLO needs a hostname\r\n421 4.7.0 mx.test Too many errors, closing connection\r\n");
}

TEST_F(SessionTest, StarttlsDiscardsPipelinedPlaintextAndRequiresEhloAgain) {
  open(true, /*tls_offered=*/true);
  send("EHLO c.test\r\n");
  EXPECT_EQ(send("STARTTLS\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<v@y.test>\r\n"), "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::StartTls);
  EXPECT_EQ(send("more plaintext\r\n"), "");
  session_->tls_established();
  EXPECT_TRUE(session_->in_tls());
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
  // The injected MAIL did not survive, and the session is back to its start.
  EXPECT_EQ(send("RCPT TO:<v@y.test>\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.test>\r\n"), "503 5.5.1 Bad sequence of commands: send EHLO or HELO first\r\n");
  EXPECT_EQ(send("EHLO c.test\r\n"),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n");
  EXPECT_EQ(send("STARTTLS\r\n"), "503 5.5.1 TLS already active\r\n");
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_TRUE(injector_.messages()[0].tls);
}

TEST_F(SessionTest, IdleTimeoutSays421AndCloses) {
  greeted();
  session_->idle_timeout();
  EXPECT_EQ(session_->take_output(), "421 4.4.2 mx.test Idle timeout, closing connection\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
}

TEST_F(SessionTest, ShutdownSays421AndCloses) {
  greeted();
  session_->shutdown();
  EXPECT_EQ(session_->take_output(), "421 4.3.2 mx.test Service shutting down, closing connection\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
}

TEST_F(SessionTest, ShutdownDuringInjectionAnswersTheMessageFirst) {
  greeted();
  injector_.defer(true);
  send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n");
  session_->shutdown();
  EXPECT_EQ(session_->next(), EsmtpSession::Next::AwaitInjection);
  injector_.complete_next(std::string("ID9"));
  EXPECT_EQ(session_->take_output(),
            "250 2.0.0 Ok: queued as ID9\r\n421 4.3.2 mx.test Service shutting down, closing connection\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
}

}  // namespace
}  // namespace impulse::inbound
