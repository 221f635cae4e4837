// Tests for SMTP AUTH and CHUNKING on inbound/esmtp_session.hpp
// (esmtp_session_auth.cpp, esmtp_session_bdat.cpp) and for
// inbound/esmtp_auth_passwords.hpp, with real crypt(3) hashes made by
// libcrypt for the test.
#include <crypt.h>
#include <gtest/gtest.h>

#include <memory>

#include "fake_injector.hpp"
#include "inbound/esmtp_auth_passwords.hpp"
#include "inbound/esmtp_session.hpp"
#include "protocol/base64.hpp"

namespace impulse::inbound {
namespace {

using testing::FakeInjector;

std::string hash_of(const char* prefix, const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn(prefix, 0, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  const char* h = crypt_rn(password.c_str(), salt, &data, sizeof data);
  EXPECT_NE(h, nullptr);
  return h;
}

std::string plain(std::string_view user, std::string_view password) {
  std::string m;
  m.push_back('\0');
  m.append(user);
  m.push_back('\0');
  m.append(password);
  return protocol::encode_base64(m);
}

TEST(AuthPasswords, VerifiesYescryptAndSha512Hashes) {
  const std::string text = "alice:" + hash_of("$y$", "wonderland") + "\nbob:" + hash_of("$6$", "builder") + "\n";
  auto table = AuthPasswords::from_text(text, "test");
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ((*table)->size(), 2u);
  EXPECT_TRUE((*table)->verify("alice", "wonderland"));
  EXPECT_TRUE((*table)->verify("bob", "builder"));
  EXPECT_FALSE((*table)->verify("alice", "builder"));
  EXPECT_FALSE((*table)->verify("carol", "wonderland"));
  EXPECT_FALSE((*table)->verify("alice", std::string("wonderland\0x", 12)));
}

TEST(AuthPasswords, LoadErrorsNameTheFile) {
  auto missing = AuthPasswords::load("/nonexistent/impulse-passwords");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "Auth_Password_File /nonexistent/impulse-passwords: cannot be read");
  auto bad = AuthPasswords::from_text("alice\n", "Auth_Password_File /x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "Auth_Password_File /x: line 1: expected user:hash");
  auto unusable = AuthPasswords::from_text("alice:$zz$abc$def\n", "F");
  ASSERT_FALSE(unusable);
  EXPECT_EQ(unusable.error().message, "F: the hash of alice is not one libcrypt can verify");
}

class AuthSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = AuthPasswords::from_text("alice:" + hash_of("$6$", "secret") + "\n", "test");
    ASSERT_TRUE(table);
    passwords_ = *table;
    settings_.hostname = "mx.test";
    settings_.auth_passwords = [this] { return passwords_; };
  }
  void open(bool relay = false, bool tls_offered = false) {
    SessionPeer peer{"192.0.2.7", 40000, "127.0.0.1:2525", relay, tls_offered, "C1"};
    session_ = std::make_unique<EsmtpSession>(settings_, peer, injector_);
    session_->start();
    session_->take_output();
  }
  std::string send(std::string_view bytes) {
    session_->receive(bytes);
    return session_->take_output();
  }
  void greeted(bool relay = false) {
    open(relay);
    send("EHLO client.test\r\n");
  }

  std::shared_ptr<const AuthPasswords> passwords_;
  ListenerSettings settings_;
  FakeInjector injector_;
  std::unique_ptr<EsmtpSession> session_;
};

TEST_F(AuthSessionTest, NotOfferedBeforeTlsUnlessPlaintextAllowed) {
  open(false, /*tls_offered=*/true);
  const std::string ehlo = send("EHLO client.test\r\n");
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos) << ehlo;
  EXPECT_EQ(send("AUTH PLAIN " + plain("alice", "secret") + "\r\n"),
            "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
  EXPECT_FALSE(session_->authenticated());
}

TEST_F(AuthSessionTest, OfferedAfterTls) {
  open(false, true);
  send("EHLO client.test\r\nSTARTTLS\r\n");
  session_->tls_established();
  const std::string ehlo = send("EHLO client.test\r\n");
  EXPECT_NE(ehlo.find("250-AUTH PLAIN LOGIN\r\n"), std::string::npos) << ehlo;
  EXPECT_EQ(send("AUTH PLAIN " + plain("alice", "secret") + "\r\n"), "235 2.7.0 Authentication successful\r\n");
}

TEST_F(AuthSessionTest, NoPasswordFileMeansNoAuth) {
  settings_.auth_passwords = nullptr;
  settings_.auth_allow_plaintext = true;
  greeted();
  EXPECT_EQ(send("AUTH LOGIN\r\n"), "502 5.5.1 AUTH not available\r\n");
}

TEST_F(AuthSessionTest, AuthenticatedSessionMayRelay) {
  settings_.auth_allow_plaintext = true;
  greeted(/*relay=*/false);
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRSET\r\n"),
            "250 2.1.0 Ok\r\n550 5.7.1 relaying denied\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(send("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(send(protocol::encode_base64("alice") + "\r\n"), "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(send(protocol::encode_base64("secret") + "\r\n"), "235 2.7.0 Authentication successful\r\n");
  EXPECT_EQ(send("AUTH PLAIN\r\n"), "503 5.5.1 Bad sequence of commands: already authenticated\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n"), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
}

TEST_F(AuthSessionTest, PlainWithEmptyChallenge) {
  settings_.auth_allow_plaintext = true;
  greeted();
  EXPECT_EQ(send("AUTH PLAIN\r\n"), "334 \r\n");
  EXPECT_EQ(send(plain("alice", "secret") + "\r\n"), "235 2.7.0 Authentication successful\r\n");
}

TEST_F(AuthSessionTest, FailuresAreDelayedFromTheFourthAndTheTenthCloses) {
  settings_.auth_allow_plaintext = true;
  greeted();
  const std::string bad = "AUTH PLAIN " + plain("alice", "wrong") + "\r\n";
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(send(bad), "535 5.7.8 Authentication credentials invalid\r\n") << i;
    EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
  }
  for (int i = 4; i <= 9; ++i) {
    EXPECT_EQ(send(bad + "NOOP\r\n"), "") << i;  // held back, and so is what follows
    ASSERT_EQ(session_->next(), EsmtpSession::Next::Delay) << i;
    EXPECT_EQ(session_->delay(), std::chrono::milliseconds(1000));
    session_->delay_done();
    EXPECT_EQ(session_->take_output(), "535 5.7.8 Authentication credentials invalid\r\n250 2.0.0 Ok\r\n") << i;
  }
  EXPECT_EQ(send(bad), "");
  ASSERT_EQ(session_->next(), EsmtpSession::Next::Delay);
  session_->delay_done();
  EXPECT_EQ(session_->take_output(),
            "535 5.7.8 Authentication credentials invalid\r\n421 4.7.0 mx.test Too many authentication failures\r\n");
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Close);
}

TEST_F(AuthSessionTest, DeferredCheckWaitsForItsVerdictAndHoldsPipelinedCommands) {
  settings_.auth_allow_plaintext = true;
  greeted();
  session_->defer_password_checks(true);
  EXPECT_EQ(send("AUTH PLAIN " + plain("alice", "secret") + "\r\nNOOP\r\n"), "");  // nothing hashed here
  ASSERT_EQ(session_->next(), EsmtpSession::Next::Verify);
  auto check = session_->take_check();
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->user, "alice");
  EXPECT_EQ(check->password, "secret");
  EXPECT_FALSE(session_->take_check().has_value());  // handed out once
  EXPECT_TRUE(check->run());
  session_->check_done(true);
  EXPECT_EQ(session_->take_output(), "235 2.7.0 Authentication successful\r\n250 2.0.0 Ok\r\n");
  EXPECT_TRUE(session_->authenticated());
  EXPECT_EQ(session_->next(), EsmtpSession::Next::Read);
}

TEST_F(AuthSessionTest, DeferredCheckFailureCountsLikeAnInlineOne) {
  settings_.auth_allow_plaintext = true;
  greeted();
  session_->defer_password_checks(true);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(send("AUTH PLAIN " + plain("alice", "wrong") + "\r\n"), "") << i;
    ASSERT_EQ(session_->next(), EsmtpSession::Next::Verify) << i;
    auto check = session_->take_check();
    ASSERT_TRUE(check.has_value());
    EXPECT_FALSE(check->run());
    session_->check_done(false);
    if (i == 4) {  // the fourth failure is held back a second, as inline
      ASSERT_EQ(session_->next(), EsmtpSession::Next::Delay);
      session_->delay_done();
    }
    EXPECT_EQ(session_->take_output(), "535 5.7.8 Authentication credentials invalid\r\n") << i;
  }
  EXPECT_FALSE(session_->authenticated());
}

TEST_F(AuthSessionTest, ExchangeErrors) {
  settings_.auth_allow_plaintext = true;
  open();
  EXPECT_EQ(send("AUTH PLAIN\r\n"), "503 5.5.1 Bad sequence of commands: send EHLO first\r\n");
  send("EHLO client.test\r\n");
  EXPECT_EQ(send("AUTH CRAM-MD5\r\n"), "504 5.5.4 Unrecognized authentication type\r\n");
  EXPECT_EQ(send("AUTH LOGIN\r\n*\r\n"), "334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n");
  EXPECT_EQ(send("AUTH PLAIN #bad#\r\n"), "501 5.5.2 Syntax error: invalid base64 character at offset 0\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nAUTH PLAIN\r\n"),
            "250 2.1.0 Ok\r\n503 5.5.1 Bad sequence of commands: AUTH during a mail transaction\r\n");
}

TEST_F(AuthSessionTest, ProxyAuthorizationFails) {
  settings_.auth_allow_plaintext = true;
  greeted();
  std::string m("root\0alice\0secret", 17);
  EXPECT_EQ(send("AUTH PLAIN " + protocol::encode_base64(m) + "\r\n"),
            "535 5.7.8 Authentication credentials invalid\r\n");
}

TEST_F(AuthSessionTest, StartTlsForgetsAuthentication) {
  settings_.auth_allow_plaintext = true;
  open(false, true);
  send("EHLO client.test\r\n");
  EXPECT_EQ(send("AUTH PLAIN " + plain("alice", "secret") + "\r\n"), "235 2.7.0 Authentication successful\r\n");
  send("STARTTLS\r\n");
  session_->tls_established();
  EXPECT_FALSE(session_->authenticated());
}

// CHUNKING.

TEST_F(AuthSessionTest, BdatChunksBuildTheMessage) {
  greeted(/*relay=*/true);
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n"), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
  EXPECT_EQ(send("BDAT 15\r\nSubject: hi\r\n\r"), "");  // one octet still to come
  EXPECT_EQ(send("\n"), "250 2.0.0 15 octets received\r\n");
  EXPECT_EQ(send("BDAT 8 LAST\r\n.body.\r\n"), "250 2.0.0 Ok: queued as MSG1\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_EQ(injector_.messages()[0].data, "Subject: hi\r\n\r\n.body.\r\n");  // no unstuffing
  EXPECT_EQ(injector_.messages()[0].recipients, std::vector<std::string>{"b@y.test"});
}

TEST_F(AuthSessionTest, BdatPipelinedWithCommands) {
  greeted(true);
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT 5\r\nab\ncdBDAT 0 LAST\r\nNOOP\r\n"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 5 octets received\r\n250 2.0.0 Ok: queued as MSG1\r\n"
            "250 2.0.0 Ok\r\n");
  EXPECT_EQ(injector_.messages()[0].data, "ab\r\ncd\r\n");
}

TEST_F(AuthSessionTest, BdatSequenceErrorsStillReadTheOctets) {
  greeted(true);
  EXPECT_EQ(send("BDAT 4\r\nNOOPNOOP\r\n"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nBDAT 3 LAST\r\nxyz"),
            "250 2.1.0 Ok\r\n503 5.5.1 Bad sequence of commands: send RCPT first\r\n");
  EXPECT_EQ(send("RCPT TO:<b@y.test>\r\nBDAT 1\r\nxDATA\r\n"),
            "250 2.1.5 Ok\r\n250 2.0.0 1 octets received\r\n503 5.5.1 Bad sequence of commands: DATA after BDAT\r\n");
  EXPECT_EQ(send("BDAT x\r\n"), "501 5.5.4 Syntax error: chunk size must be a number\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(AuthSessionTest, BdatOverMaxMessageSizeIs552) {
  settings_.max_message_size = 10;
  greeted(true);
  EXPECT_EQ(send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT 6\r\n123456BDAT 6 LAST\r\n123456"),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 6 octets received\r\n"
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  EXPECT_EQ(send("BDAT 1 LAST\r\nx"), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

}  // namespace
}  // namespace impulse::inbound
