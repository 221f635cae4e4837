// runtime::Acceptor: several TCP clients on 127.0.0.1 port 0, a Unix
// socket, stop() ending the loop, and the back-off after EMFILE driven for
// real by lowering RLIMIT_NOFILE below the next free descriptor.
#include "runtime/acceptor.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <filesystem>

namespace impulse::runtime {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

tcp::acceptor listening_on_loopback(asio::io_context& io) {
  tcp::acceptor a(io);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  a.open(ep.protocol());
  a.bind(ep);
  a.listen();
  return a;
}

struct Problems {
  std::vector<std::string> lines;
  std::vector<Clock::time_point> when;
  ProblemSink sink() {
    return [this](std::string_view line) {
      lines.emplace_back(line);
      when.push_back(Clock::now());
    };
  }
};

// Lowers the soft RLIMIT_NOFILE so that the next descriptor cannot be
// allocated (every lower one is in use); restores it when destroyed.
class NoFreeDescriptors {
 public:
  NoFreeDescriptors() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    const int next = ::open("/dev/null", O_RDONLY);  // the lowest free descriptor
    ::close(next);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(next);
    ok_ = next > 0 && ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~NoFreeDescriptors() { restore(); }
  void restore() {
    if (ok_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

TEST(Acceptor, AcceptsSeveralClientsThenStops) {
  asio::io_context io;
  Problems problems;
  auto acceptor = std::make_shared<Acceptor<tcp>>(listening_on_loopback(io),
                                                  AcceptOptions{.name = "test listener", .problems = problems.sink()});
  const auto ep = acceptor->local_endpoint();
  ASSERT_NE(ep.port(), 0);
  std::vector<tcp::socket> accepted;
  constexpr std::size_t kClients = 5;
  acceptor->start([&](tcp::socket s) {
    accepted.push_back(std::move(s));
    if (accepted.size() == kClients) acceptor->stop();
  });
  std::vector<tcp::socket> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.emplace_back(io);
    clients.back().async_connect(ep, [](boost::system::error_code ec) { EXPECT_FALSE(ec) << ec.message(); });
  }
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(io.stopped()) << "the loop did not end after stop()";
  EXPECT_EQ(accepted.size(), kClients);
  for (auto& s : accepted) EXPECT_EQ(s.remote_endpoint().address(), asio::ip::make_address("127.0.0.1"));
  EXPECT_TRUE(acceptor->stopped());
  EXPECT_TRUE(problems.lines.empty());
  EXPECT_EQ(acceptor->failures(), 0u);
}

TEST(Acceptor, StopBeforeAnyClientEndsTheLoopQuietly) {
  asio::io_context io;
  Problems problems;
  auto acceptor = std::make_shared<Acceptor<tcp>>(listening_on_loopback(io),
                                                  AcceptOptions{.name = "test listener", .problems = problems.sink()});
  const auto ep = acceptor->local_endpoint();
  int calls = 0;
  acceptor->start([&](tcp::socket) { ++calls; });
  asio::steady_timer later(io, milliseconds(20));
  later.async_wait([&](boost::system::error_code) {
    acceptor->stop();
    acceptor->stop();  // idempotent
  });
  const auto start = Clock::now();
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(io.stopped());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(problems.lines.empty());
  // The listening socket is closed: a client is refused.
  tcp::socket late(io);
  boost::system::error_code ec;
  late.connect(ep, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST(Acceptor, UnixStreamSocket) {
  asio::io_context io;
  Problems problems;
  const auto path = (std::filesystem::temp_directory_path() / ("impulse-acceptor-" + std::to_string(::getpid()))).string();
  ::unlink(path.c_str());
  asio::local::stream_protocol::acceptor bound(io, asio::local::stream_protocol::endpoint(path));
  auto acceptor = std::make_shared<Acceptor<asio::local::stream_protocol>>(
      std::move(bound), AcceptOptions{.name = "unix listener", .problems = problems.sink()});
  std::string received;
  acceptor->start([&](asio::local::stream_protocol::socket s) {
    char buf[16];
    const auto n = s.read_some(asio::buffer(buf));
    received.assign(buf, n);
    acceptor->stop();
  });
  asio::local::stream_protocol::socket client(io);
  client.connect(asio::local::stream_protocol::endpoint(path));
  asio::write(client, asio::buffer(std::string_view("ping")));
  io.run_for(std::chrono::seconds(10));
  ::unlink(path.c_str());
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(received, "ping");
  EXPECT_TRUE(problems.lines.empty());
}

TEST(Acceptor, OutOfDescriptorsBacksOffThenAccepts) {
  asio::io_context io;
  Problems problems;
  auto acceptor = std::make_shared<Acceptor<tcp>>(
      listening_on_loopback(io), AcceptOptions{.name = "test listener", .problems = problems.sink()});
  const auto ep = acceptor->local_endpoint();
  tcp::socket client(io);
  client.open(tcp::v4());  // its descriptor exists before the limit drops
  asio::steady_timer restore_timer(io);
  std::optional<Clock::time_point> accepted_at;
  {
    NoFreeDescriptors limit;
    ASSERT_TRUE(limit.ok()) << "cannot lower RLIMIT_NOFILE";
    acceptor->start([&](tcp::socket) {
      accepted_at = Clock::now();
      acceptor->stop();
    });
    client.async_connect(ep, [](boost::system::error_code ec) { EXPECT_FALSE(ec) << ec.message(); });
    // Descriptors come back 250 ms in: the loop has failed at ~0, ~100, ~200 ms.
    restore_timer.expires_after(milliseconds(250));
    restore_timer.async_wait([&](boost::system::error_code) { limit.restore(); });
    io.run_for(std::chrono::seconds(10));
  }
  EXPECT_TRUE(io.stopped());
  ASSERT_TRUE(accepted_at.has_value()) << "the queued client was never accepted";
  ASSERT_FALSE(problems.lines.empty());
  for (const auto& line : problems.lines) EXPECT_EQ(line, "test listener: accept failed: Too many open files");
  EXPECT_EQ(acceptor->failures(), problems.lines.size());
  // Backed off, not spinning: about one failure per 100 ms over 250 ms.
  EXPECT_GE(problems.lines.size(), 2u);
  EXPECT_LE(problems.lines.size(), 4u);
  for (std::size_t i = 1; i < problems.when.size(); ++i)
    EXPECT_GE(problems.when[i] - problems.when[i - 1], kAcceptBackoff);
  EXPECT_GE(*accepted_at - problems.when.back(), kAcceptBackoff - milliseconds(5));
}

TEST(Acceptor, StopDuringBackOffEndsTheLoopAtOnce) {
  asio::io_context io;
  Problems problems;
  auto acceptor = std::make_shared<Acceptor<tcp>>(
      listening_on_loopback(io),
      AcceptOptions{.name = "test listener", .problems = problems.sink(), .backoff = std::chrono::seconds(60)});
  const auto ep = acceptor->local_endpoint();
  tcp::socket client(io);
  client.open(tcp::v4());
  int calls = 0;
  asio::steady_timer stop_timer(io);
  Clock::time_point stopped_at;
  {
    NoFreeDescriptors limit;
    ASSERT_TRUE(limit.ok()) << "cannot lower RLIMIT_NOFILE";
    acceptor->start([&](tcp::socket) { ++calls; });
    client.async_connect(ep, [](boost::system::error_code) {});
    stop_timer.expires_after(milliseconds(150));
    stop_timer.async_wait([&](boost::system::error_code) {
      limit.restore();
      stopped_at = Clock::now();
      acceptor->stop();
    });
    io.run_for(std::chrono::seconds(10));
  }
  EXPECT_TRUE(io.stopped()) << "stop() did not end the 60 s back-off";
  EXPECT_LT(Clock::now() - stopped_at, std::chrono::seconds(5));
  EXPECT_EQ(acceptor->failures(), 1u);
  EXPECT_EQ(problems.lines.size(), 1u);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace impulse::runtime
