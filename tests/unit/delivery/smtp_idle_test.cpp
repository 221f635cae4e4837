// SmtpConnection between messages: idle() until idle_timeout, wake() for
// new work (the session must stay usable after the interrupted wait, plain
// and over TLS), a peer that gives up while we idle.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include "client_harness.hpp"
#include "delivery/smtp/smtp_connection.hpp"
#include "scripted_peer.hpp"

namespace impulse::delivery::smtp {
namespace {

using namespace testing;

void transaction(PeerConnection& c, const std::string& final_reply) {
  for (int i = 0; i < 3; ++i) c.read_line();
  c.send("250 ok\r\n250 ok\r\n354 go\r\n");
  c.read_data();
  c.send(final_reply + "\r\n");
}

struct IdleRun {
  std::vector<IdleEnd> ends;
  std::vector<std::string> replies;
};

TEST(SmtpIdle, IdleTimeoutEndsTheWaitAndCloseSaysQuit) {
  std::vector<std::string> after;
  auto settings = test_settings();
  settings->timeouts.idle = std::chrono::milliseconds(1000);
  IdleEnd end = IdleEnd::kWoken;
  {
    ScriptedPeer peer([&](PeerConnection& c, int) {
      c.greet();
      c.hello({"PIPELINING"});
      c.quit();  // the first thing that comes after the idle wait
      c.wait_eof();
      after = c.lines();
    });
    asio::io_context io;
    end = run(io, [&]() -> asio::awaitable<IdleEnd> {
      auto conn = co_await SmtpConnection::open(io.get_executor(), target_of(peer.port()), settings);
      if (!conn) co_return IdleEnd::kClosed;
      const IdleEnd e = co_await (*conn)->idle();
      co_await (*conn)->close();
      co_return e;
    }());
  }  // the peer has seen the client close
  EXPECT_EQ(end, IdleEnd::kTimedOut);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back(), "QUIT");
}

IdleRun wake_then_deliver(std::uint16_t port, std::shared_ptr<const SmtpSettings> settings) {
  asio::io_context io;
  // Built outside the coroutine (g++ 12 trips over braced string lists in one).
  const std::vector<SmtpJob> jobs = {make_job({"a@example.test"}), make_job({"b@example.test"}),
                                     make_job({"c@example.test"})};
  return run(io, [&]() -> asio::awaitable<IdleRun> {
    IdleRun r;
    auto conn = co_await SmtpConnection::open(io.get_executor(), target_of(port), settings);
    if (!conn) co_return r;
    SmtpConnection& c = **conn;
    r.replies.push_back((co_await c.deliver(jobs[0])).outcomes.at(0).reply);
    // New work arrives while the connection idles.
    asio::post(io, [&c] { c.wake(); });
    r.ends.push_back(co_await c.idle());
    r.replies.push_back((co_await c.deliver(jobs[1])).outcomes.at(0).reply);
    // wake() before idle(): the next idle() returns at once.
    c.wake();
    r.ends.push_back(co_await c.idle());
    r.replies.push_back((co_await c.deliver(jobs[2])).outcomes.at(0).reply);
    co_await c.close();
    co_return r;
  }());
}

TEST(SmtpIdle, WakeEndsTheWaitAndTheSessionGoesOn) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    transaction(c, "250 one");
    transaction(c, "250 two");
    transaction(c, "250 three");
    c.quit();
  });
  const auto r = wake_then_deliver(peer.port(), test_settings());
  EXPECT_EQ(r.ends, (std::vector<IdleEnd>{IdleEnd::kWoken, IdleEnd::kWoken}));
  EXPECT_EQ(r.replies, (std::vector<std::string>{"250 one", "250 two", "250 three"}));
}

TEST(SmtpIdle, PeerHangingUpWhileIdleEndsTheConnection) {
  ScriptedPeer peer([&](PeerConnection& c, int) {
    c.greet();
    c.hello({"PIPELINING"});
    c.send("421 4.4.2 mx.test Error: timeout exceeded\r\n");
  });
  auto settings = test_settings();
  asio::io_context io;
  const auto r = run(io, [&]() -> asio::awaitable<std::pair<IdleEnd, bool>> {
    auto conn = co_await SmtpConnection::open(io.get_executor(), target_of(peer.port()), settings);
    if (!conn) co_return std::make_pair(IdleEnd::kTimedOut, true);
    const IdleEnd e = co_await (*conn)->idle();
    const bool alive = (*conn)->alive();
    co_await (*conn)->close();
    co_return std::make_pair(e, alive);
  }());
  EXPECT_EQ(r.first, IdleEnd::kClosed);
  EXPECT_FALSE(r.second);
}

}  // namespace
}  // namespace impulse::delivery::smtp
