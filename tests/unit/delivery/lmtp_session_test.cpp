// SmtpConnection as an LMTP client (RFC 2033; SPEC §4 LMTP): LHLO, always
// pipelined, and after the final dot one reply per accepted recipient, each
// recipient disposed on its own.
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
using queue::Disposition;
using queue::Scope;
using queue::Stage;
namespace ir = queue::internal_reply;

std::shared_ptr<SmtpSettings> lmtp_settings() {
  auto s = test_settings();
  s->protocol = SessionProtocol::kLmtp;
  return s;
}

TEST(LmtpSession, OneReplyPerAcceptedRecipientAfterTheDot) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet("220 store.test LMTP\r\n");
    seen.push_back(c.hello({"ENHANCEDSTATUSCODES", "8BITMIME"}).value_or(""));  // no PIPELINING keyword
    for (int i = 0; i < 6; ++i) seen.push_back(c.read_line().value_or(""));   // one write, before any reply
    c.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 <a@store.test> saved\r\n452 4.2.2 <c@store.test> over quota\r\n552 5.2.2 <d@store.test> full\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), lmtp_settings(),
                         {make_job({"a@store.test", "b@store.test", "c@store.test", "d@store.test"})});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_EQ(seen, (std::vector<std::string>{"LHLO client.test", "MAIL FROM:<sender@origin.test>",
                                            "RCPT TO:<a@store.test>", "RCPT TO:<b@store.test>",
                                            "RCPT TO:<c@store.test>", "RCPT TO:<d@store.test>", "DATA"}));
  const auto& out = s.results.at(0).outcomes;
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].delivered());
  EXPECT_EQ(out[0].reply, "250 2.0.0 <a@store.test> saved");
  EXPECT_TRUE(out[1].permanent());
  EXPECT_EQ(out[1].stage, Stage::kDuringRcptTo);
  EXPECT_TRUE(out[2].transient());
  EXPECT_EQ(out[2].reply, "452 4.2.2 <c@store.test> over quota");
  EXPECT_EQ(out[2].stage, Stage::kReadingConfirmation);
  EXPECT_EQ(out[2].scope, Scope::kRecipient);
  EXPECT_TRUE(out[3].permanent());
  EXPECT_EQ(out[3].reply, "552 5.2.2 <d@store.test> full");
  EXPECT_EQ(out[3].scope, Scope::kRecipient);
  EXPECT_TRUE(s.reusable_after);
}

TEST(LmtpSession, SessionStaysInStepForTheNextMessage) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({});
    for (int m = 0; m < 2; ++m) {
      for (int i = 0; i < 4; ++i) seen.push_back(c.read_line().value_or(""));
      c.send("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
      c.read_data();
      c.send("250 one\r\n250 two\r\n");
    }
    c.quit();
  });
  const auto s = session(peer.port(), lmtp_settings(),
                         {make_job({"a@store.test", "b@store.test"}), make_job({"c@store.test", "d@store.test"})});
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[4], "MAIL FROM:<sender@origin.test>");  // in step: no RSET, nothing left over
  for (const auto& r : s.results) {
    EXPECT_EQ(r.outcomes.at(0).reply, "250 one");
    EXPECT_EQ(r.outcomes.at(1).reply, "250 two");
  }
}

TEST(LmtpSession, ConnectionLostAfterSomeRepliesLeavesTheRestTransient) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({});
    for (int i = 0; i < 5; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 saved\r\n");
  });
  const auto s = session(peer.port(), lmtp_settings(), {make_job({"a@store.test", "b@store.test", "c@store.test"})});
  const auto& out = s.results.at(0).outcomes;
  EXPECT_TRUE(out[0].delivered());
  for (int i : {1, 2}) {
    EXPECT_TRUE(out[i].transient());
    EXPECT_EQ(out[i].reply, ir::kConnectionClosed);
    EXPECT_EQ(out[i].stage, Stage::kReadingConfirmation);
  }
  EXPECT_FALSE(s.reusable_after);
}

TEST(LmtpSession, LhloRefusedIsAHostFailureWithoutHeloFallback) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.read_line();
    c.send("500 5.5.1 unknown command\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), lmtp_settings(), {make_job({"a@store.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "500 5.5.1 unknown command");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kDuringEhlo);
}

}  // namespace
}  // namespace impulse::delivery::smtp
