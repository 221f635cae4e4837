// What an accepted recipient means for DSN (delivery/smtp/dsn_handoff.hpp,
// RFC 3461 §6.2.2): against scripted peers, a server that lists DSN gets
// NOTIFY/ORCPT/RET/ENVID and the delivered outcome says kPassedOn; an SMTP
// server without DSN gets no DSN parameters and the outcome says kRelayed;
// an LMTP server without DSN did the final delivery (kFinal).
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "delivery/smtp/dsn_handoff.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "protocol/dsn_params.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
using queue::DsnHandoff;

SmtpJob dsn_job() {
  SmtpJob job = make_job({"a@example.test"});
  job.dsn_ret = protocol::kRetHdrs;
  job.dsn_envid = "QQ314159";
  job.dsn_notify = {protocol::kNotifySuccess | protocol::kNotifyFailure};
  job.dsn_orcpt = {"rfc822;orig+x@example.test"};
  return job;
}

// Lock-step peer listing `keywords`; records the envelope commands.
ScriptedPeer lock_step_peer(std::vector<std::string> keywords, std::vector<std::string>& commands) {
  return ScriptedPeer([keywords, &commands](PeerConnection& c, int) {
    c.greet();
    c.hello(keywords);
    for (const char* reply : {"250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n", "354 go\r\n"}) {
      commands.push_back(c.read_line().value_or(""));
      c.send(reply);
    }
    c.read_data();
    c.send("250 2.0.0 Ok: queued as ABC\r\n");
    c.quit();
  });
}

TEST(SmtpDsnHandoff, ServerListingDsnGetsTheParametersAndOwnsTheReports) {
  std::vector<std::string> commands;
  auto peer = lock_step_peer({"ENHANCEDSTATUSCODES", "DSN"}, commands);
  const auto s = session(peer.port(), test_settings(), {dsn_job()});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_EQ(commands, (std::vector<std::string>{"MAIL FROM:<sender@origin.test> RET=HDRS ENVID=QQ314159",
                                                "RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE "
                                                "ORCPT=rfc822;orig+2Bx@example.test",
                                                "DATA"}));
  const auto& o = s.results.at(0).outcomes.at(0);
  ASSERT_TRUE(o.delivered()) << o.reply;
  EXPECT_EQ(o.dsn_handoff, DsnHandoff::kPassedOn);
}

TEST(SmtpDsnHandoff, SmtpServerWithoutDsnGetsNoParametersAndTheRecipientIsRelayed) {
  std::vector<std::string> commands;
  auto peer = lock_step_peer({"ENHANCEDSTATUSCODES"}, commands);
  const auto s = session(peer.port(), test_settings(), {dsn_job()});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  EXPECT_EQ(commands, (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "RCPT TO:<a@example.test>", "DATA"}));
  const auto& o = s.results.at(0).outcomes.at(0);
  ASSERT_TRUE(o.delivered()) << o.reply;
  EXPECT_EQ(o.dsn_handoff, DsnHandoff::kRelayed);
}

TEST(SmtpDsnHandoff, RefusedRecipientCarriesNoHandoff) {
  ScriptedPeer peer([](PeerConnection& c, int) {
    c.greet();
    c.hello({"ENHANCEDSTATUSCODES"});
    c.read_line();
    c.send("250 2.1.0 Ok\r\n");
    c.read_line();
    c.send("550 5.1.1 no such user\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {dsn_job()});
  ASSERT_FALSE(s.open_failure);
  const auto& o = s.results.at(0).outcomes.at(0);
  EXPECT_TRUE(o.permanent()) << o.reply;
  EXPECT_EQ(o.dsn_handoff, DsnHandoff::kNone);
}

TEST(SmtpDsnHandoff, LmtpServerWithoutDsnIsFinalDelivery) {
  ScriptedPeer peer([](PeerConnection& c, int) {
    c.greet("220 store.test LMTP\r\n");
    c.hello({"ENHANCEDSTATUSCODES", "8BITMIME"});
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 <a@example.test> saved\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->protocol = SessionProtocol::kLmtp;
  const auto s = session(peer.port(), settings, {dsn_job()});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  const auto& o = s.results.at(0).outcomes.at(0);
  ASSERT_TRUE(o.delivered()) << o.reply;
  EXPECT_EQ(o.dsn_handoff, DsnHandoff::kFinal);
}

TEST(SmtpDsnHandoff, Rules) {
  EXPECT_EQ(dsn_handoff(false, true), DsnHandoff::kPassedOn);
  EXPECT_EQ(dsn_handoff(true, true), DsnHandoff::kPassedOn);
  EXPECT_EQ(dsn_handoff(false, false), DsnHandoff::kRelayed);
  EXPECT_EQ(dsn_handoff(true, false), DsnHandoff::kFinal);
}

}  // namespace
}  // namespace impulse::delivery::smtp
