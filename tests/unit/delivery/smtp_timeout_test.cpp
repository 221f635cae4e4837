// Each per-phase deadline of SmtpConnection against a peer that stays
// silent at that phase: the deadline is set to 1 s, the peer waits for the
// client to give up and close (no sleeps, no timing assertions), and the
// outcome carries Momentum's [internal] text and stage for that phase.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;
using queue::Stage;
namespace ir = queue::internal_reply;
constexpr std::chrono::milliseconds kShort{1000};

struct SilentPhase {
  std::string name;
  std::function<void(SmtpTimeouts&)> shorten;
  std::function<void(PeerConnection&)> until_silence;  // the exchange before the peer goes quiet
  bool open_fails;
  std::string_view reply;
  Stage stage;
};

void reply_to(PeerConnection& c, int commands, const std::string& replies) {
  for (int i = 0; i < commands; ++i) c.read_line();
  c.send(replies);
}

std::vector<SilentPhase> phases() {
  const std::vector<std::string> lockstep = {"ENHANCEDSTATUSCODES"};
  return {
      {"Banner", [](SmtpTimeouts& t) { t.ehlo = kShort; }, [](PeerConnection&) {}, true, ir::kNoBanner,
       Stage::kReadingBanner},
      {"Ehlo", [](SmtpTimeouts& t) { t.ehlo = kShort; },
       [](PeerConnection& c) {
         c.greet();
         c.read_line();
       },
       true, ir::kNoHeloResponse, Stage::kDuringEhlo},
      {"MailFrom", [](SmtpTimeouts& t) { t.mailfrom = kShort; },
       [lockstep](PeerConnection& c) {
         c.greet();
         c.hello(lockstep);
         c.read_line();
       },
       false, ir::kNoMailFromResponse, Stage::kDuringMailFrom},
      {"RcptTo", [](SmtpTimeouts& t) { t.rcptto = kShort; },
       [lockstep](PeerConnection& c) {
         c.greet();
         c.hello(lockstep);
         reply_to(c, 1, "250 ok\r\n");
         c.read_line();
       },
       false, ir::kNoRcptToResponse, Stage::kDuringRcptTo},
      {"Data", [](SmtpTimeouts& t) { t.body = kShort; },
       [lockstep](PeerConnection& c) {
         c.greet();
         c.hello(lockstep);
         reply_to(c, 1, "250 ok\r\n");
         reply_to(c, 1, "250 ok\r\n");
         reply_to(c, 1, "250 ok\r\n");
         c.read_line();
       },
       false, ir::kNoDataResponse, Stage::kDuringData},
      {"Body", [](SmtpTimeouts& t) { t.body = kShort; },
       [](PeerConnection& c) {
         c.greet();
         c.hello({"PIPELINING"});
         reply_to(c, 4, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
         c.read_data();
       },
       false, ir::kNoBodyResponse, Stage::kReadingConfirmation},
      {"Pipelined", [](SmtpTimeouts& t) { t.mailfrom = kShort; },
       [](PeerConnection& c) {
         c.greet();
         c.hello({"PIPELINING"});
         for (int i = 0; i < 4; ++i) c.read_line();  // MAIL, RCPT, RCPT, DATA; no reply
       },
       false, ir::kNoMailFromResponse, Stage::kDuringMailFrom},
  };
}

class SilentPeer : public ::testing::TestWithParam<SilentPhase> {};

TEST_P(SilentPeer, DeadlineGivesTheInternalTextOfThePhase) {
  const SilentPhase& p = GetParam();
  bool closed_by_client = false;
  auto settings = test_settings();
  p.shorten(settings->timeouts);
  Session s;
  {
    ScriptedPeer peer([&](PeerConnection& c, int) {
      p.until_silence(c);
      closed_by_client = c.wait_eof();
    });
    s = session(peer.port(), settings, {make_job({"a@example.test", "b@example.test"})});
  }  // the peer's thread ends when the client has dropped the connection
  EXPECT_TRUE(closed_by_client);
  std::vector<queue::Outcome> outcomes;
  if (p.open_fails) {
    ASSERT_TRUE(s.open_failure);
    outcomes.push_back(s.open_failure->outcome);
    EXPECT_EQ(s.open_failure->outcome.scope, queue::Scope::kHost);
  } else {
    ASSERT_FALSE(s.open_failure) << s.open_failure->outcome.reply;
    outcomes = s.results.at(0).outcomes;
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_FALSE(s.reusable_after);
  }
  for (const auto& o : outcomes) {
    EXPECT_TRUE(o.transient());
    EXPECT_EQ(o.reply, p.reply);
    EXPECT_EQ(o.stage, p.stage);
  }
}

INSTANTIATE_TEST_SUITE_P(Phases, SilentPeer, ::testing::ValuesIn(phases()),
                         [](const auto& info) { return info.param.name; });

TEST(SmtpTimeout, RsetDeadline) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"ENHANCEDSTATUSCODES"});
    reply_to(c, 1, "250 ok\r\n");
    reply_to(c, 1, "550 no\r\n");  // the first transaction fails: RSET before the next
    c.read_line();                 // RSET
    c.wait_eof();
  });
  auto settings = test_settings();
  settings->timeouts.rset = kShort;
  const auto s = session(peer.port(), settings, {make_job({"a@example.test"}), make_job({"b@example.test"})});
  ASSERT_EQ(s.results.size(), 2u);
  EXPECT_TRUE(s.results[0].outcomes[0].permanent());
  const auto& o = s.results[1].outcomes.at(0);
  EXPECT_EQ(o.reply, ir::kNoRsetResponse);
  EXPECT_EQ(o.stage, Stage::kDuringRset);
}

TEST(SmtpTimeout, ConnectDeadline) {
  // A listener that never accepts, with its queue already full: the kernel
  // drops our SYN and the connect hangs until connect_timeout.
  const int l = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 0), 0);
  socklen_t len = sizeof a;
  ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(f);
  }
  auto settings = test_settings();
  settings->timeouts.connect = kShort;
  settings->timeouts.ehlo = kShort;
  const auto s = session(ntohs(a.sin_port), settings, {make_job({"a@example.test"})});
  for (int f : fillers) ::close(f);
  ::close(l);
  ASSERT_TRUE(s.open_failure);
  if (s.open_failure->outcome.reply == ir::kNoBanner) GTEST_SKIP() << "the kernel accepted the connection anyway";
  EXPECT_EQ(s.open_failure->outcome.reply, ir::kConnectionTimedOut);
  EXPECT_EQ(s.open_failure->outcome.stage, Stage::kNotConnected);
}

}  // namespace
}  // namespace impulse::delivery::smtp
