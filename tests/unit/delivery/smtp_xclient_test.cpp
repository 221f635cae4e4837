// XCLIENT in SmtpConnection (Postfix XCLIENT_README; reference/momentum.md
// §3 xclient): sent before a message whose original client the server has
// not been told yet, answered by a new greeting, followed by EHLO again.
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
using queue::Stage;
namespace ir = queue::internal_reply;

const std::vector<std::string> kXclient = {"PIPELINING", "XCLIENT NAME ADDR PROTO HELO"};

// One pipelined transaction after the commands already read.
void transaction(PeerConnection& c, std::vector<std::string>& seen, const std::string& final_reply = "250 queued") {
  for (int i = 0; i < 3; ++i) seen.push_back(c.read_line().value_or(""));
  c.send("250 ok\r\n250 ok\r\n354 go\r\n");
  c.read_data();
  c.send(final_reply + "\r\n");
}

TEST(SmtpXclient, SentBeforeEachNewClientThenEhloAgain) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kXclient);
    // Message 1: XCLIENT, new greeting, EHLO, transaction.
    seen.push_back(c.read_line().value_or(""));
    c.send("220 mx.test ESMTP (after XCLIENT)\r\n");
    seen.push_back(c.hello(kXclient).value_or(""));
    transaction(c, seen);
    // Message 2, same original client: no XCLIENT.
    transaction(c, seen);
    // Message 3, another client (IPv6, with a name): XCLIENT again.
    seen.push_back(c.read_line().value_or(""));
    c.send("220 mx.test ESMTP\r\n");
    seen.push_back(c.hello(kXclient).value_or(""));
    transaction(c, seen);
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kRequired;
  auto third = make_job({"c@example.test"});
  third.client = OriginalClient{"2001:db8::5", "host.origin.test", "", "SMTP"};
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}), make_job({"b@example.test"}), third});
  ASSERT_FALSE(s.open_failure);
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "XCLIENT PROTO=ESMTP HELO=client.origin.test ADDR=192.0.2.7 NAME=[UNAVAILABLE]",
                      "EHLO client.test",
                      "MAIL FROM:<sender@origin.test>", "RCPT TO:<a@example.test>", "DATA",
                      "MAIL FROM:<sender@origin.test>", "RCPT TO:<b@example.test>", "DATA",
                      "XCLIENT PROTO=SMTP ADDR=IPV6:2001:db8::5 NAME=host.origin.test",
                      "EHLO client.test",
                      "MAIL FROM:<sender@origin.test>", "RCPT TO:<c@example.test>", "DATA"}));
  for (const auto& r : s.results) EXPECT_TRUE(r.outcomes.at(0).delivered()) << r.outcomes.at(0).reply;
}

TEST(SmtpXclient, RsetBeforeXclientAfterAFailedTransaction) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kXclient);
    seen.push_back(c.read_line().value_or(""));  // XCLIENT for message 1
    c.send("220 mx.test\r\n");
    c.hello(kXclient);
    for (int i = 0; i < 3; ++i) seen.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n550 no\r\n503 no valid recipients\r\n");
    // Message 2 has another client: RSET, then XCLIENT.
    seen.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n");
    seen.push_back(c.read_line().value_or(""));
    c.send("220 mx.test\r\n");
    c.hello(kXclient);
    transaction(c, seen);
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kIfAvailable;
  auto second = make_job({"b@example.test"});
  second.client.addr = "198.51.100.1";
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}), second});
  ASSERT_GE(seen.size(), 6u);
  EXPECT_EQ(seen[4], "RSET");
  EXPECT_EQ(seen[5].rfind("XCLIENT ", 0), 0u) << seen[5];
  EXPECT_NE(seen[5].find("ADDR=198.51.100.1"), std::string::npos);
  EXPECT_TRUE(s.results.at(1).outcomes.at(0).delivered());
}

TEST(SmtpXclient, RequiredButNotAdvertisedFailsTheMessageTransiently) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test", "b@example.test"})});
  ASSERT_FALSE(s.open_failure);
  for (const auto& o : s.results.at(0).outcomes) {
    EXPECT_TRUE(o.transient());
    EXPECT_EQ(o.reply, "451 4.7.6 [internal] XCLIENT required but not advertised");
  }
  EXPECT_TRUE(s.reusable_after);
}

TEST(SmtpXclient, IfAvailableWithoutXclientDeliversWithout) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    transaction(c, seen);
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kIfAvailable;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  EXPECT_EQ(seen.at(0), "MAIL FROM:<sender@origin.test>");
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST(SmtpXclient, IfAvailableAndRefusedDeliversWithoutAndDoesNotAskAgain) {
  std::vector<std::string> seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kXclient);
    seen.push_back(c.read_line().value_or(""));
    c.send("550 5.7.0 insufficient authorization\r\n");
    transaction(c, seen);
    transaction(c, seen);
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kIfAvailable;
  auto second = make_job({"b@example.test"});
  second.client.addr = "198.51.100.1";
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}), second});
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen[1], "MAIL FROM:<sender@origin.test>");
  EXPECT_EQ(seen[4], "MAIL FROM:<sender@origin.test>");
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
  EXPECT_TRUE(s.results.at(1).outcomes.at(0).delivered());
}

TEST(SmtpXclient, RequiredAndRefusedFailsWithTheReply) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kXclient);
    c.read_line();
    c.send("550 5.7.0 insufficient authorization\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kRequired;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  const auto& o = s.results.at(0).outcomes.at(0);
  EXPECT_TRUE(o.transient());
  EXPECT_EQ(o.reply, "550 5.7.0 insufficient authorization");
  EXPECT_EQ(o.stage, Stage::kDuringXclient);
}

TEST(SmtpXclient, NoResponseInTime) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kXclient);
    c.read_line();
    c.wait_eof();
  });
  auto settings = test_settings();
  settings->xclient = XclientMode::kRequired;
  settings->timeouts.ehlo = std::chrono::milliseconds(1000);
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  const auto& o = s.results.at(0).outcomes.at(0);
  EXPECT_EQ(o.reply, ir::kNoXclientResponse);
  EXPECT_EQ(o.stage, Stage::kDuringXclient);
  EXPECT_EQ(queue::stage_code(o.stage), 19);
}

}  // namespace
}  // namespace impulse::delivery::smtp
