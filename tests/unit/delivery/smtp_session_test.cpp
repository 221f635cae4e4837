// SmtpConnection against scripted ESMTP peers on loopback: the happy path,
// lock-step and pipelining, HELO fallback, several messages per connection,
// batching, MAIL FROM parameters, source address. Refusals and broken
// sessions are in smtp_reply_outcome_test.cpp.
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

TEST(SmtpSession, DeliversLockStepWhenPipeliningIsNotOffered) {
  std::string data;
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kNoPipelining);
    // Lock-step: after each command nothing more may arrive before our reply.
    for (const char* reply : {"250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n", "250 2.1.5 Ok\r\n", "354 go\r\n"}) {
      auto line = c.read_line();
      ASSERT_TRUE(line);
      commands.push_back(*line);
      EXPECT_FALSE(c.input_pending()) << "pipelined after " << *line;
      c.send(reply);
    }
    data = c.read_data().value_or("<none>");
    c.send("250 2.0.0 Ok: queued as ABC\r\n");
    c.quit();
  });
  ASSERT_TRUE(peer.ok());
  const auto s = session(peer.port(), test_settings(),
                         {make_job({"a@example.test", "b@example.test"}, "Subject: t\r\n\r\n.dot\nbare\r\n")});
  ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
  ASSERT_EQ(s.results.size(), 1u);
  ASSERT_EQ(s.results[0].outcomes.size(), 2u);
  for (const auto& o : s.results[0].outcomes) {
    expect_outcome(o, Disposition::kDelivered, "250 2.0.0 Ok: queued as ABC", Stage::kReadingConfirmation);
    EXPECT_GT(o.bytes_sent, 0u);
  }
  EXPECT_EQ(commands, (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "RCPT TO:<a@example.test>",
                                                "RCPT TO:<b@example.test>", "DATA"}));
  EXPECT_EQ(data, "Subject: t\r\n\r\n..dot\r\nbare\r\n");
  EXPECT_TRUE(s.reusable_after);
}

TEST(SmtpSession, PipelinedGroupArrivesBeforeAnyReply) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    // Withhold every reply until DATA has arrived: a lock-step client
    // would wait for the MAIL reply forever (and fail on its deadline).
    for (int i = 0; i < 4; ++i) {
      auto line = c.read_line();
      ASSERT_TRUE(line);
      commands.push_back(*line);
    }
    c.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
    EXPECT_TRUE(c.read_data());
    c.send("250 2.0.0 queued\r\n");
    c.quit();
  });
  auto settings = test_settings();
  const auto s = session(peer.port(), settings, {make_job({"a@example.test", "b@example.test"})});
  ASSERT_FALSE(s.open_failure);
  EXPECT_EQ(commands, (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "RCPT TO:<a@example.test>",
                                                "RCPT TO:<b@example.test>", "DATA"}));
  for (const auto& o : s.results.at(0).outcomes) EXPECT_TRUE(o.delivered()) << o.reply;
  EXPECT_TRUE(s.caps.pipelining);
}

TEST(SmtpSession, EhloRefusedWith5xxFallsBackToHeloWithoutExtensions) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    commands.push_back(c.read_line().value_or(""));
    c.send("502 5.5.2 EHLO not implemented\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("250 mx.test\r\n");
    commands.push_back(c.read_line().value_or(""));
    EXPECT_FALSE(c.input_pending()) << "no PIPELINING after HELO";
    c.send("250 ok\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("354 go\r\n");
    c.read_data();
    c.send("250 queued\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"}, "caf\xc3\xa9\r\n")});
  ASSERT_FALSE(s.open_failure);
  EXPECT_EQ(commands, (std::vector<std::string>{"EHLO client.test", "HELO client.test", "MAIL FROM:<sender@origin.test>",
                                                "RCPT TO:<a@example.test>", "DATA"}));
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
}

TEST(SmtpSession, SmtpMethodSaysHeloOnlyAndUsesNoExtensions) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    commands.push_back(c.read_line().value_or(""));
    c.send("250 mx.test\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n");
    commands.push_back(c.read_line().value_or(""));
    c.send("354 go\r\n");
    c.read_data();
    c.send("250 queued\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->protocol = SessionProtocol::kSmtp;
  settings->send_8bitmime = true;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}, "caf\xc3\xa9\r\n")});
  ASSERT_FALSE(s.open_failure);
  EXPECT_EQ(commands, (std::vector<std::string>{"HELO client.test", "MAIL FROM:<sender@origin.test>",
                                                "RCPT TO:<a@example.test>", "DATA"}));
}

TEST(SmtpSession, SeveralMessagesWithRsetOnlyAfterAFailedTransaction) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kNoPipelining);
    auto next = [&]() {
      auto line = c.read_line();
      commands.push_back(line.value_or("<eof>"));
      return line.value_or("");
    };
    // 1: success.
    next(); c.send("250 ok\r\n");
    next(); c.send("250 ok\r\n");
    next(); c.send("354 go\r\n");
    c.read_data(); c.send("250 one\r\n");
    // 2: no RSET; its only recipient is refused.
    next(); c.send("250 ok\r\n");
    next(); c.send("550 no\r\n");
    // 3: RSET first.
    next(); c.send("250 reset\r\n");
    next(); c.send("250 ok\r\n");
    next(); c.send("250 ok\r\n");
    next(); c.send("354 go\r\n");
    c.read_data(); c.send("250 three\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(),
                         {make_job({"a@example.test"}), make_job({"b@example.test"}), make_job({"c@example.test"})});
  EXPECT_EQ(commands,
            (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "RCPT TO:<a@example.test>", "DATA",
                                      "MAIL FROM:<sender@origin.test>", "RCPT TO:<b@example.test>", "RSET",
                                      "MAIL FROM:<sender@origin.test>", "RCPT TO:<c@example.test>", "DATA"}));
  ASSERT_EQ(s.results.size(), 3u);
  EXPECT_EQ(s.results[0].outcomes[0].reply, "250 one");
  EXPECT_EQ(s.results[1].outcomes[0].reply, "550 no");
  EXPECT_EQ(s.results[2].outcomes[0].reply, "250 three");
}

TEST(SmtpSession, TwoHundredFiftyRecipientsGoAsOneHundredOneHundredFiftyOnOneConnection) {
  std::vector<int> rcpts_per_transaction;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int t = 0; t < 3; ++t) {
      std::string replies;
      int rcpts = 0;
      while (true) {
        auto line = c.read_line();
        ASSERT_TRUE(line);
        if (line->rfind("RCPT", 0) == 0) ++rcpts;
        if (*line == "DATA") break;
        replies += "250 ok\r\n";
      }
      c.send(replies + "354 go\r\n");
      c.read_data();
      c.send("250 queued " + std::to_string(t) + "\r\n");
      rcpts_per_transaction.push_back(rcpts);
    }
    c.quit();
  });
  std::vector<std::string> recipients;
  for (int i = 0; i < 250; ++i) recipients.push_back("r" + std::to_string(i) + "@example.test");
  const auto s = session(peer.port(), test_settings(), {make_job(recipients)});
  EXPECT_EQ(peer.accepted(), 1);
  EXPECT_EQ(rcpts_per_transaction, (std::vector<int>{100, 100, 50}));
  const auto& out = s.results.at(0).outcomes;
  ASSERT_EQ(out.size(), 250u);
  EXPECT_EQ(out[0].reply, "250 queued 0");
  EXPECT_EQ(out[99].reply, "250 queued 0");
  EXPECT_EQ(out[100].reply, "250 queued 1");
  EXPECT_EQ(out[249].reply, "250 queued 2");
}

TEST(SmtpSession, TooManyRecipientsAreSentAgainInAFurtherTransaction) {
  std::vector<std::vector<std::string>> transactions;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int t = 0; t < 2; ++t) {
      std::vector<std::string> tx;
      std::string replies;
      int rcpt = 0;
      while (true) {
        auto line = c.read_line();
        ASSERT_TRUE(line);
        tx.push_back(*line);
        if (*line == "DATA") break;
        if (line->rfind("RCPT", 0) == 0) {
          replies += (t == 0 && rcpt++ >= 1) ? "452 4.5.3 Too many recipients\r\n" : "250 ok\r\n";
        } else {
          replies += "250 ok\r\n";
        }
      }
      c.send(replies + "354 go\r\n");
      c.read_data();
      c.send("250 queued " + std::to_string(t) + "\r\n");
      transactions.push_back(tx);
    }
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(),
                         {make_job({"a@example.test", "b@example.test", "c@example.test"})});
  ASSERT_EQ(transactions.size(), 2u);
  EXPECT_EQ(transactions[1], (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "RCPT TO:<b@example.test>",
                                                       "RCPT TO:<c@example.test>", "DATA"}));
  const auto& out = s.results.at(0).outcomes;
  EXPECT_EQ(out[0].reply, "250 queued 0");
  EXPECT_EQ(out[1].reply, "250 queued 1");
  EXPECT_EQ(out[2].reply, "250 queued 1");
}

TEST(SmtpSession, SizeAndBody8bitmimeWhenAdvertisedAndWanted) {
  std::vector<std::string> mail_lines;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING", "SIZE 1000000", "8BITMIME"});
    for (int t = 0; t < 2; ++t) {
      mail_lines.push_back(c.read_line().value_or(""));
      c.read_line();
      c.read_line();
      c.send("250 ok\r\n250 ok\r\n354 go\r\n");
      c.read_data();
      c.send("250 queued\r\n");
    }
    c.quit();
  });
  auto settings = test_settings();
  settings->send_8bitmime = true;
  const std::string eight = "Subject: caf\xc3\xa9\r\n\r\nx\n";  // 20 octets, one bare LF: 21 as sent
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}, eight), make_job({"a@example.test"}, "7bit\r\n")});
  EXPECT_EQ(mail_lines, (std::vector<std::string>{"MAIL FROM:<sender@origin.test> SIZE=21 BODY=8BITMIME",
                                                  "MAIL FROM:<sender@origin.test> SIZE=6"}));
}

TEST(SmtpSession, NoBody8bitmimeWhenNotWantedOrNotAdvertised) {
  std::vector<std::string> mail_lines;
  auto script = [&](const std::vector<std::string>& extensions) {
    return [&, extensions](PeerConnection& c, int) {
      c.greet();
      c.hello(extensions);
      mail_lines.push_back(c.read_line().value_or(""));
      c.read_line();
      c.read_line();
      c.send("250 ok\r\n250 ok\r\n354 go\r\n");
      c.read_data();
      c.send("250 queued\r\n");
      c.quit();
    };
  };
  {
    ScriptedPeer peer(script({"PIPELINING", "8BITMIME"}));
    session(peer.port(), test_settings(), {make_job({"a@example.test"}, "caf\xc3\xa9\r\n")});  // send_8bitmime = no
  }
  {
    ScriptedPeer peer(script({"PIPELINING"}));
    auto settings = test_settings();
    settings->send_8bitmime = true;
    session(peer.port(), settings, {make_job({"a@example.test"}, "caf\xc3\xa9\r\n")});
  }
  EXPECT_EQ(mail_lines, (std::vector<std::string>{"MAIL FROM:<sender@origin.test>", "MAIL FROM:<sender@origin.test>"}));
}

TEST(SmtpSession, NullSenderAndAnUnsendableRecipient) {
  std::vector<std::string> commands;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) commands.push_back(c.read_line().value_or(""));
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 queued\r\n");
    c.quit();
  });
  const auto s = session(peer.port(), test_settings(),
                         {make_job({std::string(300, 'x') + "@example.test", "a@example.test"}, "x\r\n", "")});
  EXPECT_EQ(commands, (std::vector<std::string>{"MAIL FROM:<>", "RCPT TO:<a@example.test>", "DATA"}));
  const auto& out = s.results.at(0).outcomes;
  EXPECT_EQ(out[0].reply, ir::kRcptToArgsTooLong);
  EXPECT_TRUE(out[0].transient());
  EXPECT_TRUE(out[1].delivered());
}

TEST(SmtpSession, MaxDeliveriesPerConnectionEndsReuse) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello(kPipelining);
    for (int i = 0; i < 3; ++i) c.read_line();
    c.send("250 ok\r\n250 ok\r\n354 go\r\n");
    c.read_data();
    c.send("250 queued\r\n");
    c.quit();
  });
  auto settings = test_settings();
  settings->max_deliveries_per_connection = 1;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"})});
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
  EXPECT_FALSE(s.reusable_after);
}

TEST(SmtpSession, ConnectRefusedIsAHostFailureAtStage0) {
  std::uint16_t port = 0;
  {
    ScriptedPeer closed([](PeerConnection&, int) {});
    port = closed.port();
  }  // nothing listens there any more
  const auto s = session(port, test_settings(), {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kNoValidHostsNoConnections);
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kNotConnected);
  EXPECT_EQ(s.open_failure->outcome.scope, Scope::kHost);
  EXPECT_NE(s.open_failure->detail.find("refused"), std::string::npos) << s.open_failure->detail;
}

TEST(SmtpSession, BindAddressIsTheSourceAddressThePeerSees) {
  std::string seen;
  ScriptedPeer peer([&](PeerConnection& c, int) {
    seen = c.peer_ip();
    c.greet();
    c.hello(kPipelining);
    c.quit();
  });
  auto settings = test_settings();
  settings->bind_address = "127.0.0.2";
  asio::io_context io;
  const auto local = run(io, [&]() -> asio::awaitable<std::string> {
    auto conn = co_await SmtpConnection::open(io.get_executor(), target_of(peer.port()), settings);
    if (!conn) co_return "open failed: " + conn.error().outcome.reply;
    std::string address = (*conn)->local_address();
    co_await (*conn)->close();
    co_return address;
  }());
  EXPECT_EQ(local, "127.0.0.2");
  EXPECT_EQ(seen, "127.0.0.2");
}

TEST(SmtpSession, Ipv6Loopback) {
  ScriptedPeer peer(
      [&](PeerConnection& c, int) {
        EXPECT_EQ(c.peer_ip(), "::1");
        c.greet();
        c.hello(kPipelining);
        for (int i = 0; i < 3; ++i) c.read_line();
        c.send("250 ok\r\n250 ok\r\n354 go\r\n");
        c.read_data();
        c.send("250 queued\r\n");
        c.quit();
      },
      "::1");
  if (!peer.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  const auto s = session(peer.port(), test_settings(), {make_job({"a@example.test"})}, "::1");
  ASSERT_FALSE(s.open_failure) << s.open_failure->detail;
  EXPECT_TRUE(s.results.at(0).outcomes.at(0).delivered());
  EXPECT_EQ(s.results.at(0).outcomes.at(0).remote_ip, "::1");
}

TEST(SmtpSession, BindAddressOfTheOtherFamilyCannotConnect) {
  auto settings = test_settings();
  settings->bind_address = "::1";
  const auto s = session(1, settings, {make_job({"a@example.test"})});
  ASSERT_TRUE(s.open_failure);
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kNoValidHostsNoConnections);
}

}  // namespace
}  // namespace impulse::delivery::smtp
