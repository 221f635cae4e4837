// SmtpConnection's outcomes when scripted ESMTP peers refuse or break off:
// banner and EHLO refusals (host failures), RCPT/DATA/final-dot replies,
// 421 mid-transaction, malformed replies, a peer hanging up mid-DATA; the
// reply texts, dispositions, scopes and Momentum stage codes.
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

TEST(SmtpReplyOutcome, Banner421IsAHostFailureAndTheClientSaysQuit) {
  bool got_quit = false;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet("421 4.3.2 mx.test busy, try later\r\n");
    auto line = c.read_line();
    got_quit = line && *line == "QUIT";
    c.send("221 bye\r\n");
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  const auto& o = s.open_failure->outcome;
  EXPECT_EQ(o.disposition, Disposition::kTransient);
  EXPECT_EQ(o.scope, Scope::kHost);
  EXPECT_EQ(o.reply, "421 4.3.2 mx.test busy, try later");
  EXPECT_EQ(o.stage, Stage::kReadingBanner);
  EXPECT_EQ(queue::stage_code(o.stage), 12);
  EXPECT_TRUE(got_quit);
}

TEST(SmtpReplyOutcome, Banner554IsAHostFailureToo) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet("554-no SMTP service here\r\n554 go away\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_TRUE(s.open_failure->outcome.transient());
  EXPECT_EQ(s.open_failure->outcome.reply, "554-no SMTP service here\r\n554 go away");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kReadingBanner);
}

TEST(SmtpReplyOutcome, EhloRefusedWith4xxIsAHostFailure) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.read_line();
    c.send("421 4.7.0 too many connections\r\n");
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, "421 4.7.0 too many connections");
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kDuringEhlo);
  EXPECT_EQ(s.open_failure->outcome.scope, Scope::kHost);
}

TEST(SmtpReplyOutcome, HeloAlsoRefusedIsAHostFailureWithTheHeloReply) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.read_line();
    c.send("500 what\r\n");
    c.read_line();
    c.send("550 not you\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_TRUE(s.open_failure->outcome.transient());
  EXPECT_EQ(s.open_failure->outcome.reply, "550 not you");
}

TEST(SmtpReplyOutcome, Rcpt450And550InOneTransaction) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 5; ++i) c.read_line();
    c.send(
        "250 2.1.0 Ok\r\n"
        "250 2.1.5 Ok\r\n"
        "450 4.2.0 <b@example.test>: Recipient address rejected: greylisted\r\n"
        "550 5.1.1 <c@example.test>: Recipient address rejected: User unknown\r\n"
        "354 go\r\n");
    c.read_data();
    c.send("250 2.0.0 queued\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test", "b@example.test", "c@example.test"})});
  ASSERT_FALSE(s.open_failure);
  const auto& out = s.results.at(0).outcomes;
  ASSERT_EQ(out.size(), 3u);
  expect_outcome(out[0], Disposition::kDelivered, "250 2.0.0 queued", Stage::kReadingConfirmation);
  expect_outcome(out[1], Disposition::kTransient, "450 4.2.0 <b@example.test>: Recipient address rejected: greylisted",
                 Stage::kDuringRcptTo);
  EXPECT_EQ(out[1].scope, Scope::kRecipient);
  expect_outcome(out[2], Disposition::kPermanent,
                 "550 5.1.1 <c@example.test>: Recipient address rejected: User unknown", Stage::kDuringRcptTo);
  EXPECT_EQ(out[2].scope, Scope::kRecipient);
  EXPECT_TRUE(s.reusable_after);
}

TEST(SmtpReplyOutcome, Data452FailsTheAcceptedRecipientsTransiently) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 4; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n452 4.3.1 Insufficient system storage\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test", "b@example.test"})});
  const auto& out = s.results.at(0).outcomes;
  expect_outcome(out[0], Disposition::kTransient, "452 4.3.1 Insufficient system storage", Stage::kDuringData);
  EXPECT_EQ(out[0].scope, Scope::kMessage);
  expect_outcome(out[1], Disposition::kPermanent, "550 5.1.1 unknown", Stage::kDuringRcptTo);
}

TEST(SmtpReplyOutcome, Data554FailsTheAcceptedRecipientsPermanently) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n554 5.7.1 no thanks\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kPermanent, "554 5.7.1 no thanks", Stage::kDuringData);
}

TEST(SmtpReplyOutcome, Data250InsteadOf354IsNeverTakenForADelivery) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n250 ok\r\n");
    c.wait_eof();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kTransient, ir::kNoDataResponse, Stage::kDuringData);
  EXPECT_FALSE(s.reusable_after);
}

TEST(SmtpReplyOutcome, Reply554AfterTheDotFailsEveryAcceptedRecipientPermanently) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 5; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n250 ok\r\n550 no such user\r\n354 go\r\n");
    c.read_data();
    c.send("554 5.7.1 Message rejected: spam\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test", "b@example.test", "c@example.test"})});
  const auto& out = s.results.at(0).outcomes;
  for (int i : {0, 1}) {
    expect_outcome(out[i], Disposition::kPermanent, "554 5.7.1 Message rejected: spam", Stage::kReadingConfirmation);
    EXPECT_EQ(out[i].scope, Scope::kMessage);
  }
  expect_outcome(out[2], Disposition::kPermanent, "550 no such user", Stage::kDuringRcptTo);
  EXPECT_TRUE(s.reusable_after);
}

TEST(SmtpReplyOutcome, Reply4xxAfterTheDotIsTransient) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("451 4.3.0 try again\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kTransient, "451 4.3.0 try again",
                 Stage::kReadingConfirmation);
}

TEST(SmtpReplyOutcome, MailFromRefusedFailsEveryRecipientWithThatReply) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kNoPipelining);
    EXPECT_EQ(c.read_line().value_or(""), "MAIL FROM:<sender@origin.test>");
    c.send("553 5.1.8 sender rejected\r\n");
    c.quit();  // lock-step: no RCPT, no DATA after a refused MAIL
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test", "b@example.test"})});
  for (const auto& o : s.results.at(0).outcomes) {
    expect_outcome(o, Disposition::kPermanent, "553 5.1.8 sender rejected", Stage::kDuringMailFrom);
    EXPECT_EQ(o.scope, Scope::kMessage);
  }
}

TEST(SmtpReplyOutcome, DisconnectInTheMiddleOfDataIsTransientAtStage8) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 4; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    c.skip(100'000);  // part of the body, then hang up with the rest unread
  });
  // Far more than the socket buffers hold, so the client is still writing.
  std::string body = "Subject: big\r\n\r\n";
  while (body.size() < 64u * 1024 * 1024) body += std::string(998, 'x') + "\r\n";
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test", "b@example.test"}, body)});
  ASSERT_FALSE(s.open_failure);
  for (const auto& o : s.results.at(0).outcomes) {
    expect_outcome(o, Disposition::kTransient, ir::kConnectionClosed, Stage::kSendingBody);
    EXPECT_EQ(queue::stage_code(o.stage), 8);
  }
  EXPECT_FALSE(s.reusable_after);
}

TEST(SmtpReplyOutcome, DisconnectBeforeTheFinalReplyIsTransientWhileReadingConfirmation) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kTransient, ir::kConnectionClosed,
                 Stage::kReadingConfirmation);
}

TEST(SmtpReplyOutcome, Reply421MidTransactionFailsEverythingPendingAndEndsTheSession) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 4; ++i) c.read_line();
    c.send("250 ok\r\n550 5.1.1 unknown\r\n421 4.3.2 shutting down\r\n");
  });
  const auto s = session(peer.port(), test_settings(),
                         {make_job({"a@example.test", "b@example.test"}), make_job({"c@example.test"})});
  ASSERT_EQ(s.results.size(), 2u);
  const auto& out = s.results[0].outcomes;
  expect_outcome(out[0], Disposition::kPermanent, "550 5.1.1 unknown", Stage::kDuringRcptTo);
  expect_outcome(out[1], Disposition::kTransient, "421 4.3.2 shutting down", Stage::kDuringRcptTo);
  EXPECT_EQ(out[1].scope, Scope::kHost);
  // The connection is dead; a further job fails at once without a byte sent.
  const auto& late = s.results[1].outcomes.at(0);
  EXPECT_TRUE(late.transient());
  EXPECT_EQ(late.reply, ir::kConnectionClosed);
  EXPECT_EQ(late.stage, Stage::kIdle);
  EXPECT_EQ(late.bytes_sent, 0u);
  EXPECT_FALSE(s.reusable_after);
}

TEST(SmtpReplyOutcome, MalformedReplyIsTreatedAsNoResponse) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\nthis is not SMTP\r\n");
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kTransient, ir::kNoRcptToResponse, Stage::kDuringRcptTo);
}

TEST(SmtpReplyOutcome, EveryRecipientRefusedWith354ToPipelinedDataSendsALoneDot) {
  std::optional<std::string> data;
  std::string after;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n550 no\r\n354 go ahead anyway\r\n");
    data = c.read_data();
    c.send("554 5.5.0 no valid recipients\r\n");
    after = c.read_line().value_or("");
    c.send("221 bye\r\n");
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, "");
  EXPECT_EQ(after, "QUIT");
  expect_outcome(s.results.at(0).outcomes.at(0), Disposition::kPermanent, "550 no", Stage::kDuringRcptTo);
}

}  // namespace
}  // namespace impulse::delivery::smtp
