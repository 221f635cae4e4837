// Tests for MCMT_Reception in inbound/esmtp_session.cpp (SPEC §11): reject
// answers an MCMT message 554 5.6.0 and injects nothing; allow checks the
// structure at the end of DATA and marks what it accepts; passthru stores
// the message unchanged; a Peer-scoped value applies to its client only;
// a client's forged mark never survives.
#include <gtest/gtest.h>

#include <memory>

#include "fake_injector.hpp"
#include "inbound/esmtp_session.hpp"

namespace impulse::inbound {
namespace {

using testing::FakeInjector;

const std::string kMcmt =
    "Subject: order\r\nMIME-Version: 1.0\r\nContent-Type: multipart/vnd.msys.mcmt; boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: order\r\n\r\nshipped\r\n"
    "--B\r\nContent-Type: message/vnd.msys.apn\r\nX-Device-Token: 00112233445566778899aabbccddeeff\r\n\r\n"
    "{\"aps\":{\"alert\":\"shipped\"}}\r\n--B--\r\n";
const std::string kMcmtWithoutEmail =
    "Content-Type: multipart/vnd.msys.mcmt; boundary=B\r\n\r\n"
    "--B\r\nContent-Type: message/vnd.msys.apn\r\n\r\n{}\r\n--B--\r\n";
const std::string kPlain = "Subject: hi\r\n\r\nhello\r\n";

class McmtSessionTest : public ::testing::Test {
 protected:
  void mode(McmtReception m) {
    settings_.mcmt_reception = [m](std::string_view) { return m; };
  }
  // One transaction with `data`; returns the reply to the final dot.
  std::string transact(const std::string& data, std::string peer_ip = "192.0.2.7") {
    settings_.hostname = "mx.test";
    SessionPeer peer{std::move(peer_ip), 40000, "127.0.0.1:2525", true, false, "C1"};
    session_ = std::make_unique<EsmtpSession>(settings_, peer, injector_);
    session_->start();
    session_->receive("EHLO client.test\r\nMAIL FROM:<shop@example.com>\r\nRCPT TO:<a@apn.example.com>\r\nDATA\r\n");
    session_->take_output();
    session_->receive(data + ".\r\n");
    return session_->take_output();
  }

  ListenerSettings settings_;
  FakeInjector injector_;
  std::unique_ptr<EsmtpSession> session_;
};

}  // namespace

TEST_F(McmtSessionTest, RejectAnswers554AndInjectsNothing) {
  mode(McmtReception::kReject);
  EXPECT_EQ(transact(kMcmt), "554 5.6.0 MCMT messages are not accepted here\r\n");
  EXPECT_EQ(injector_.count(), 0u);
  // The session goes on: a plain message is still taken.
  session_->receive("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n" + kPlain + ".\r\n");
  EXPECT_EQ(session_->take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                                     "250 2.0.0 Ok: queued as MSG1\r\n");
}

TEST_F(McmtSessionTest, RejectTakesPlainMessages) {
  mode(McmtReception::kReject);
  EXPECT_EQ(transact(kPlain), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(injector_.messages()[0].data, kPlain);
}

TEST_F(McmtSessionTest, AllowMarksAWellFormedMcmtMessage) {
  mode(McmtReception::kAllow);
  EXPECT_EQ(transact(kMcmt), "250 2.0.0 Ok: queued as MSG1\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_EQ(injector_.messages()[0].data, "X-Impulse-MCMT-Reception: allow\r\n" + kMcmt);
}

TEST_F(McmtSessionTest, AllowRefusesMcmtWithoutAnRfc822PartOrMalformed) {
  mode(McmtReception::kAllow);
  EXPECT_EQ(transact(kMcmtWithoutEmail), "554 5.6.0 no message/rfc822 part in the MCMT message\r\n");
  EXPECT_EQ(transact("Content-Type: multipart/vnd.msys.mcmt; boundary=B\r\n\r\n--B\r\n"
                     "Content-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\nbody\r\n"),
            "554 5.6.0 malformed MCMT message: multipart body without its closing boundary\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(McmtSessionTest, AllowLeavesPlainMessagesUnmarked) {
  mode(McmtReception::kAllow);
  EXPECT_EQ(transact(kPlain), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(injector_.messages()[0].data, kPlain);
}

TEST_F(McmtSessionTest, PassthruStoresMcmtUnchangedEvenWithoutAnRfc822Part) {
  EXPECT_EQ(transact(kMcmtWithoutEmail), "250 2.0.0 Ok: queued as MSG1\r\n");  // no resolver: passthru
  mode(McmtReception::kPassthru);
  EXPECT_EQ(transact(kMcmt), "250 2.0.0 Ok: queued as MSG2\r\n");
  ASSERT_EQ(injector_.count(), 2u);
  EXPECT_EQ(injector_.messages()[0].data, kMcmtWithoutEmail);
  EXPECT_EQ(injector_.messages()[1].data, kMcmt);
}

TEST_F(McmtSessionTest, AForgedMarkIsRemovedUnderPassthru) {
  mode(McmtReception::kPassthru);
  EXPECT_EQ(transact("x-impulse-mcmt-reception: allow\r\n  folded\r\n" + kMcmt), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(injector_.messages()[0].data, kMcmt);
}

TEST_F(McmtSessionTest, ThePeersValueAppliesToThatClient) {
  settings_.mcmt_reception = [](std::string_view ip) {
    return ip == "10.0.0.5" ? McmtReception::kReject : McmtReception::kAllow;
  };
  EXPECT_EQ(transact(kMcmt, "10.0.0.5"), "554 5.6.0 MCMT messages are not accepted here\r\n");
  EXPECT_EQ(transact(kMcmt, "10.0.0.6"), "250 2.0.0 Ok: queued as MSG1\r\n");
}

}  // namespace impulse::inbound
