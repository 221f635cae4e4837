// Loopback tests for inbound/esmtp_listener.hpp: the real listener on real
// io_contexts (each in its own thread), driven by a raw TCP client, with a
// FakeInjector behind it. Waits are always reads of the server's replies
// (the client's 10 s receive timeout only guards against hangs).
#include "inbound/esmtp_listener.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include "fake_injector.hpp"
#include "test_client.hpp"

namespace impulse::inbound {
namespace {

namespace asio = boost::asio;
using testing::FakeInjector;
using testing::RawSmtpClient;

constexpr const char* kEhloReply =
    "250-mx.test\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n";

ListenerSettings loopback_settings(const std::string& address = "127.0.0.1") {
  ListenerSettings s;
  s.address = address;
  s.port = 0;
  s.hostname = "mx.test";
  s.relay_hosts = {*config::parse_cidr("127.0.0.0/8"), *config::parse_cidr("::1")};
  return s;
}

class ListenerTest : public ::testing::Test {
 protected:
  // Opens the listener on `loops` event loops and starts them.
  ::testing::AssertionResult start(std::vector<ListenerSettings> listens, std::size_t loops = 1) {
    std::vector<asio::io_context*> raw;
    for (std::size_t i = 0; i < loops; ++i) {
      ios_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(ios_.back()->get_executor());
      raw.push_back(ios_.back().get());
    }
    auto opened = EsmtpListener::open(raw, std::move(listens), injector_, [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_.push_back(line);
    });
    if (!opened) return ::testing::AssertionFailure() << opened.error().message;
    listener_ = std::move(*opened);
    listener_->start();
    for (auto& io : ios_) threads_.emplace_back([io = io.get()] { io->run(); });
    return ::testing::AssertionSuccess();
  }

  // Stops the listener and waits (bounded) for every session to end.
  bool stop_listener() {
    if (!listener_) return true;
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    listener_->stop([done] { done->set_value(); });
    return finished.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  }

  void TearDown() override {
    EXPECT_TRUE(stop_listener());
    listener_.reset();
    guards_.clear();
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) t.join();
    std::lock_guard lock(log_mu_);
    for (const auto& line : log_) {
      if (tolerate_tls_failure_ && line.find("TLS handshake failed") != std::string::npos) continue;
      ADD_FAILURE() << "listener logged: " << line;
    }
  }

  std::uint16_t port(std::size_t i = 0) const { return listener_->port(i); }

  FakeInjector injector_;
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<EsmtpListener> listener_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
  bool tolerate_tls_failure_ = false;
};

TEST_F(ListenerTest, PipelinedTransactionOverLoopback) {
  ASSERT_TRUE(start({loopback_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  c.send("EHLO client.test\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);
  // One write: the whole transaction, then the next one's start, then QUIT.
  c.send(
      "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\nSubject: t\r\n\r\n..hi\r\n.\r\n"
      "RSET\r\nQUIT\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "221 2.0.0 mx.test closing connection\r\n");
  EXPECT_TRUE(c.at_eof());
  ASSERT_EQ(injector_.count(), 1u);
  const ReceivedMessage m = injector_.messages()[0];
  EXPECT_EQ(m.mail_from, "alice@example.com");
  EXPECT_EQ(m.recipients, std::vector<std::string>{"bob@example.net"});
  EXPECT_EQ(m.data, "Subject: t\r\n\r\n.hi\r\n");
  EXPECT_EQ(m.peer_ip, "127.0.0.1");
  EXPECT_NE(m.peer_port, 0);
  EXPECT_EQ(m.listener_address, "127.0.0.1:" + std::to_string(port()));
  EXPECT_FALSE(m.tls);
}

TEST_F(ListenerTest, LargeMessageIsReceivedIntact) {
  ASSERT_TRUE(start({loopback_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  std::string body, wire;
  for (int i = 0; i < 40000; ++i) {
    const std::string line = (i % 7 == 0 ? "." : "") + std::string(60, static_cast<char>('a' + i % 26));
    body += line + "\r\n";
    wire += (line[0] == '.' ? "." : "") + line + "\r\n";
  }
  c.send("HELO client.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n" + wire + ".\r\nQUIT\r\n");
  EXPECT_EQ(c.read_reply(), "250 mx.test\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(c.read_reply(), "221 2.0.0 mx.test closing connection\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_EQ(injector_.messages()[0].data, body);
}

TEST_F(ListenerTest, InjectionCompletedFromAnotherThreadIsAnsweredInOrder) {
  ASSERT_TRUE(start({loopback_settings()}));
  injector_.defer(true);
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  // The server must now wait for the injector; complete it from this thread.
  while (injector_.pending() == 0) std::this_thread::yield();
  injector_.complete_next(fail("spool unwritable"));
  EXPECT_EQ(c.read_reply(), "451 4.3.0 spool unwritable\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok\r\n");
}

TEST_F(ListenerTest, RelayDeniedWhenPeerIsOutsideRelayHosts) {
  ListenerSettings s = loopback_settings();
  s.relay_hosts = {*config::parse_cidr("192.0.2.0/24")};
  ASSERT_TRUE(start({s}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nQUIT\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "550 5.7.1 relaying denied\r\n");
  EXPECT_EQ(c.read_reply(), "554 5.5.1 No valid recipients\r\n");
  EXPECT_EQ(c.read_reply(), "221 2.0.0 mx.test closing connection\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(ListenerTest, ShutdownSends421ToOpenSessions) {
  ASSERT_TRUE(start({loopback_settings()}, 2));
  RawSmtpClient a("127.0.0.1", port());
  RawSmtpClient b("127.0.0.1", port());
  EXPECT_EQ(a.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  EXPECT_EQ(b.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  a.send("EHLO a.test\r\n");
  EXPECT_EQ(a.read_reply(), kEhloReply);
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  listener_->stop([done] { done->set_value(); });
  EXPECT_EQ(a.read_reply(), "421 4.3.2 mx.test Service shutting down, closing connection\r\n");
  EXPECT_EQ(b.read_reply(), "421 4.3.2 mx.test Service shutting down, closing connection\r\n");
  EXPECT_TRUE(a.at_eof());
  EXPECT_TRUE(b.at_eof());
  EXPECT_EQ(finished.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(listener_->open_sessions(), 0u);
  // No longer accepting.
  RawSmtpClient late("127.0.0.1", port());
  EXPECT_FALSE(late.connected() && !late.at_eof());
}

TEST_F(ListenerTest, IdleTimeoutSends421AndCloses) {
  ListenerSettings s = loopback_settings();
  s.idle_time = std::chrono::seconds(1);
  ASSERT_TRUE(start({s}));
  RawSmtpClient c("127.0.0.1", port());
  EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  c.send("EHLO c.test\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);
  // Say nothing more: the next thing the server sends is the timeout.
  EXPECT_EQ(c.read_reply(), "421 4.4.2 mx.test Idle timeout, closing connection\r\n");
  EXPECT_TRUE(c.at_eof());
}

TEST_F(ListenerTest, IdleTimeoutInsideData) {
  ListenerSettings s = loopback_settings();
  s.idle_time = std::chrono::seconds(1);
  ASSERT_TRUE(start({s}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("HELO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\npartial line");
  for (int i = 0; i < 4; ++i) c.read_reply();
  EXPECT_EQ(c.read_reply(), "421 4.4.2 mx.test Idle timeout, closing connection\r\n");
  EXPECT_TRUE(c.at_eof());
  EXPECT_EQ(injector_.count(), 0u);
}

class TlsListenerTest : public ListenerTest {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/impulse-inbound-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    ASSERT_TRUE(testing::make_self_signed(dir_));
  }
  void TearDown() override {
    ListenerTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  ListenerSettings tls_settings() {
    ListenerSettings s = loopback_settings();
    s.tls_certificate = dir_ + "/cert.pem";
    s.tls_key = dir_ + "/key.pem";
    return s;
  }
  std::string dir_;
};

TEST_F(TlsListenerTest, StarttlsThenEhloAgainAndATransaction) {
  ASSERT_TRUE(start({tls_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("EHLO c.test\r\n");
  EXPECT_EQ(c.read_reply(),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-SMTPUTF8\r\n250-DSN\r\n250 CHUNKING\r\n");
  c.send("STARTTLS\r\n");
  EXPECT_EQ(c.read_reply(), "220 2.0.0 Ready to start TLS\r\n");
  ASSERT_TRUE(c.start_tls());
  c.send("EHLO c.test\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);  // no STARTTLS once in TLS
  c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nsecret\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok: queued as MSG1\r\n");
  EXPECT_EQ(c.read_reply(), "221 2.0.0 mx.test closing connection\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_TRUE(injector_.messages()[0].tls);
  EXPECT_EQ(injector_.messages()[0].data, "secret\r\n");
}

TEST_F(TlsListenerTest, PlaintextPipelinedAfterStarttlsIsNeverExecuted) {
  ASSERT_TRUE(start({tls_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("EHLO c.test\r\n");
  c.read_reply();
  // The classic injection: commands sent in plaintext behind STARTTLS.
  c.send("STARTTLS\r\nEHLO evil.test\r\nMAIL FROM:<evil@x.test>\r\n");
  EXPECT_EQ(c.read_reply(), "220 2.0.0 Ready to start TLS\r\n");
  // If the injected bytes reached the server after it read STARTTLS, they
  // break the handshake (correct too); otherwise they were discarded and
  // the TLS session starts from scratch.
  if (!c.start_tls()) {
    tolerate_tls_failure_ = true;
    return;
  }
  c.send("RCPT TO:<c@d.test>\r\n");
  EXPECT_EQ(c.read_reply(), "503 5.5.1 Bad sequence of commands: send MAIL first\r\n");
  c.send("MAIL FROM:<a@b.test>\r\n");
  EXPECT_EQ(c.read_reply(), "503 5.5.1 Bad sequence of commands: send EHLO or HELO first\r\n");
}

TEST_F(TlsListenerTest, FailedHandshakeClosesTheConnection) {
  tolerate_tls_failure_ = true;
  ASSERT_TRUE(start({tls_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  c.send("EHLO c.test\r\n");
  c.read_reply();
  c.send("STARTTLS\r\n");
  EXPECT_EQ(c.read_reply(), "220 2.0.0 Ready to start TLS\r\n");
  c.send("this is not a TLS ClientHello\r\n");
  EXPECT_TRUE(c.at_eof());
  RawSmtpClient next("127.0.0.1", port());
  EXPECT_EQ(next.read_reply(), "220 mx.test ESMTP Impulse\r\n");
}

TEST_F(TlsListenerTest, MissingCertificateFailsAtOpen) {
  ListenerSettings s = tls_settings();
  s.tls_certificate = dir_ + "/nope.pem";
  asio::io_context io;
  auto opened = EsmtpListener::open({&io}, {s}, injector_, nullptr);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("TLS_Certificate " + dir_ + "/nope.pem"), std::string::npos)
      << opened.error().message;
}

TEST_F(ListenerTest, Ipv6LoopbackListens) {
  auto opened = start({loopback_settings("::1")});
  if (!opened) GTEST_SKIP() << "no IPv6 loopback here: " << opened.message();
  RawSmtpClient c("::1", port());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  c.send("EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nv6\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(c.read_reply(), kEhloReply);
  EXPECT_EQ(c.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.read_reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(c.read_reply(), "250 2.0.0 Ok: queued as MSG1\r\n");
  ASSERT_EQ(injector_.count(), 1u);
  EXPECT_EQ(injector_.messages()[0].peer_ip, "::1");
  EXPECT_EQ(injector_.messages()[0].listener_address, "[::1]:" + std::to_string(port()));
}

TEST_F(ListenerTest, BothAddressesOnSeveralLoops) {
  auto opened = start({loopback_settings("127.0.0.1"), loopback_settings("::1")}, 2);
  if (!opened) GTEST_SKIP() << "no IPv6 loopback here: " << opened.message();
  for (int i = 0; i < 6; ++i) {
    RawSmtpClient c(i % 2 ? "::1" : "127.0.0.1", port(i % 2));
    EXPECT_EQ(c.read_reply(), "220 mx.test ESMTP Impulse\r\n");
    c.send("QUIT\r\n");
    EXPECT_EQ(c.read_reply(), "221 2.0.0 mx.test closing connection\r\n");
  }
}

TEST_F(ListenerTest, AddressInUseIsAStartupError) {
  ASSERT_TRUE(start({loopback_settings()}));
  ListenerSettings again = loopback_settings();
  again.port = port();
  asio::io_context io;
  auto second = EsmtpListener::open({&io}, {again}, injector_, nullptr);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "ESMTP_Listener 127.0.0.1:" + std::to_string(port()) + ": Address already in use");
}

TEST_F(ListenerTest, TooManyErrorsEndTheSessionWith421) {
  ASSERT_TRUE(start({loopback_settings()}));
  RawSmtpClient c("127.0.0.1", port());
  c.read_reply();
  std::string junk;
  for (int i = 0; i < 10; ++i) junk += "JUNK\r\n";
  c.send(junk + "NOOP\r\n");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(c.read_reply(), "500 5.5.1 Command unrecognized\r\n");
  EXPECT_EQ(c.read_reply(), "421 4.7.0 mx.test Too many errors, closing connection\r\n");
  EXPECT_TRUE(c.at_eof());
}

TEST_F(ListenerTest, DroppedClientMidDataInjectsNothingAndListenerGoesOn) {
  ASSERT_TRUE(start({loopback_settings()}));
  {
    RawSmtpClient c("127.0.0.1", port());
    c.read_reply();
    c.send("HELO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nhalf a message\r\n");
    for (int i = 0; i < 4; ++i) c.read_reply();
  }
  RawSmtpClient next("127.0.0.1", port());
  EXPECT_EQ(next.read_reply(), "220 mx.test ESMTP Impulse\r\n");
  next.send("NOOP\r\n");
  EXPECT_EQ(next.read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(injector_.count(), 0u);
}

}  // namespace
}  // namespace impulse::inbound
