// EcstreamSession (inbound/ecstream_session.hpp): the receiver's protocol
// rules without sockets: greeting, pipelined messages answered only once
// the injector completes, refusals per message, window back-pressure,
// GOAWAY on shutdown, and ERROR for garbage or an SMTP client.
#include "inbound/ecstream_session.hpp"

#include <gtest/gtest.h>

#include "fake_injector.hpp"

namespace impulse::inbound {
namespace {

namespace ec = protocol::ecstream;
using testing::FakeInjector;

struct Harness {
  explicit Harness(bool relay = true, std::uint64_t max_size = 0, std::uint32_t window = 10000) {
    settings.listen.hostname = "b.example";
    settings.listen.max_message_size = max_size;
    settings.max_batch_size = window;
    peer = EcstreamPeer{"192.0.2.7", 4711, "127.0.0.1:1825", relay, false, "C1"};
  }
  EcstreamListenerSettings settings;
  EcstreamPeer peer;
  FakeInjector injector;
  std::unique_ptr<EcstreamSession> session;
  ec::FrameDecoder client{};

  void start() {
    session = std::make_unique<EcstreamSession>(settings, peer, injector);
    session->start();
  }
  std::vector<ec::Frame> frames() {
    client.feed(session->take_output());
    std::vector<ec::Frame> out;
    for (;;) {
      auto f = client.next();
      EXPECT_TRUE(f) << f.error().reason;
      if (!f || !*f) return out;
      out.push_back(std::move(**f));
    }
  }
};

ec::Message message(std::uint32_t seq, std::string binding = {}) {
  ec::Message m;
  m.seq = seq;
  m.message_id = "A-" + std::to_string(seq);
  m.binding = std::move(binding);
  m.sender = "alice@example.org";
  m.recipients = {"bob@example.com", "carol@example.net"};
  m.body = "Subject: x\r\n\r\n\xe9t\xe9\r\n";
  return m;
}

ec::Reply reply_of(const ec::Frame& f) {
  EXPECT_EQ(f.type, ec::FrameType::kReply);
  return *ec::parse_reply(f.payload, ec::Limits{});
}

TEST(EcstreamSession, GreetsWithItsWindowAndLimits) {
  Harness h(true, 1000, 64);
  h.start();
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 1u);
  auto g = ec::parse_greeting(frames[0].payload, ec::Limits{});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->window, 64u);
  EXPECT_EQ(g->max_message_size, 1000u);
  EXPECT_EQ(g->name, "b.example");
}

TEST(EcstreamSession, PipelinedMessagesAreRepliedOnlyWhenDurable) {
  Harness h;
  h.injector.defer(true);
  h.start();
  h.frames();
  h.session->receive(ec::encode(ec::Hello{1, "a.example"}) + ec::encode(message(1)) + ec::encode(message(2, "out-2")));
  EXPECT_TRUE(h.frames().empty());  // nothing is durable yet
  EXPECT_EQ(h.session->in_flight(), 2u);
  ASSERT_EQ(h.injector.messages().size(), 2u);
  const auto first = h.injector.messages()[0];
  EXPECT_EQ(first.protocol, spool::Protocol::kEcstream);
  EXPECT_EQ(first.peer_ip, "192.0.2.7");
  EXPECT_EQ(first.helo, "a.example");
  EXPECT_EQ(first.recipients, (std::vector<std::string>{"bob@example.com", "carol@example.net"}));
  EXPECT_EQ(first.data, "Subject: x\r\n\r\n\xe9t\xe9\r\n");
  EXPECT_EQ(h.injector.messages()[1].data, "X-Impulse-Binding: out-2\r\nSubject: x\r\n\r\n\xe9t\xe9\r\n");

  h.injector.complete_next(std::string("ID1"));
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(reply_of(frames[0]), (ec::Reply{1, 250, "2.0.0", "Ok: queued as ID1", "ID1"}));
  h.injector.complete_next(impulse::unexpected(Error{"spool unwritable", 0}));
  frames = h.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(reply_of(frames[0]).line(), "451 4.3.0 spool unwritable");
  EXPECT_EQ(h.session->in_flight(), 0u);
}

TEST(EcstreamSession, ClientOutsideRelayHostsGetsARefusalPerMessage) {
  Harness h(false);
  h.start();
  h.frames();
  h.session->receive(ec::encode(ec::Hello{1, "a"}) + ec::encode(message(1)) + ec::encode(message(2)));
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(reply_of(frames[1]), (ec::Reply{2, 550, "5.7.1", "relaying denied", ""}));
  EXPECT_TRUE(h.injector.messages().empty());
}

TEST(EcstreamSession, MessageOverMaxMessageSizeIsRefusedAndTheNextAccepted) {
  Harness h(true, 10);
  h.start();
  h.frames();
  ec::Message small = message(2);
  small.body = "tiny\r\n";
  h.session->receive(ec::encode(ec::Hello{1, "a"}) + ec::encode(message(1)) + ec::encode(small));
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(reply_of(frames[0]).line(), "552 5.3.4 message size exceeds fixed maximum message size");
  EXPECT_EQ(reply_of(frames[1]).code, 250);
  EXPECT_EQ(h.injector.messages().size(), 1u);
}

TEST(EcstreamSession, FullWindowHoldsFramesBackUntilAReply) {
  Harness h(true, 0, 1);
  h.injector.defer(true);
  h.start();
  h.frames();
  h.session->receive(ec::encode(ec::Hello{1, "a"}) + ec::encode(message(1)) + ec::encode(message(2)));
  EXPECT_FALSE(h.session->wants_input());
  EXPECT_EQ(h.injector.messages().size(), 1u);
  h.injector.complete_next(std::string("ID1"));
  EXPECT_EQ(h.injector.messages().size(), 2u);  // the held frame went on
  h.injector.complete_next(std::string("ID2"));
  EXPECT_EQ(h.frames().size(), 2u);
}

TEST(EcstreamSession, ShutdownSendsGoawayAndStillAnswersWhatIsInFlight) {
  Harness h;
  h.injector.defer(true);
  h.start();
  h.frames();
  h.session->receive(ec::encode(ec::Hello{1, "a"}) + ec::encode(message(1)));
  h.session->shutdown();
  h.session->receive(ec::encode(message(2)));  // after GOAWAY: ignored, the client retries it
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_EQ(frames[0].type, ec::FrameType::kGoaway);
  EXPECT_EQ(*ec::parse_goaway(frames[0].payload, ec::Limits{}),
            (ec::Goaway{1, 421, "4.3.2", "Reconfiguration in progress"}));
  EXPECT_FALSE(h.session->finished());
  h.injector.complete_next(std::string("ID1"));
  EXPECT_EQ(reply_of(h.frames()[0]).code, 250);
  EXPECT_TRUE(h.session->finished());
  EXPECT_EQ(h.injector.messages().size(), 1u);
}

TEST(EcstreamSession, SmtpClientGetsAnErrorFrameAndTheSessionEnds) {
  Harness h;
  h.start();
  h.frames();
  h.session->receive("EHLO client.example\r\n");
  auto frames = h.frames();
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_EQ(frames[0].type, ec::FrameType::kError);
  EXPECT_EQ(ec::parse_error(frames[0].payload, ec::Limits{})->line(),
            "554 5.5.0 unknown frame type 0x45 ('E'): not an ECSTREAM peer");
  EXPECT_TRUE(h.session->finished());
}

TEST(EcstreamSession, MessageBeforeHelloOrOutOfOrderIsAnError) {
  Harness h;
  h.start();
  h.frames();
  h.session->receive(ec::encode(message(1)));
  EXPECT_EQ(ec::parse_error(h.frames()[0].payload, ec::Limits{})->line(), "554 5.5.1 expected HELLO, got MESSAGE");

  Harness o;
  o.start();
  o.frames();
  o.session->receive(ec::encode(ec::Hello{1, "a"}) + ec::encode(message(2)));
  EXPECT_EQ(ec::parse_error(o.frames()[0].payload, ec::Limits{})->line(), "554 5.5.2 MESSAGE seq 2 after 0");
  EXPECT_TRUE(o.injector.messages().empty());
}

TEST(EcstreamSession, UnsupportedVersionIsAnError) {
  Harness h;
  h.start();
  h.frames();
  h.session->receive(ec::encode(ec::Hello{9, "a"}));
  EXPECT_EQ(ec::parse_error(h.frames()[0].payload, ec::Limits{})->line(), "554 5.5.2 unsupported version 9");
}

}  // namespace
}  // namespace impulse::inbound
