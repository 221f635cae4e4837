// ControlListener over a real Unix socket: a command and its framed reply,
// a session whose handler throws is reported by name ("control session N")
// and the listener goes on, stop() ends an idle open session and removes the
// socket file, and Timeout disconnects an idle client. With a PasswordCheck:
// commands refused before login, the check run off the event loop, a good
// login admits, the tenth failure closes; without one a login is a no-op.
#include "console/control_listener.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "console/commands.hpp"
#include "console/login.hpp"
#include "console/wire.hpp"

namespace impulse::console {
namespace {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

// A blocking client with a receive timeout, so a broken listener fails the test instead of hanging it.
class Client {
 public:
  explicit Client(const std::string& path) : socket_(io_) {
    socket_.connect(local::endpoint(path));
    timeval tv{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& line) { asio::write(socket_, asio::buffer(line)); }
  std::optional<Reply> reply() {
    for (;;) {
      if (auto r = decoder_.next()) return r;
      char buf[512];
      boost::system::error_code ec;
      const auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) return std::nullopt;
      decoder_.feed(std::string_view(buf, n));
    }
  }
  // True when the listener closed the connection (EOF rather than a receive timeout).
  bool closed_by_peer() {
    char c;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof;
  }

 private:
  asio::io_context io_;
  local::socket socket_;
  ReplyDecoder decoder_;
};

class ControlListenerTest : public ::testing::Test {
 protected:
  void start(std::chrono::seconds idle = std::chrono::seconds(60), PasswordCheck login = {}) {
    path_ = (std::filesystem::temp_directory_path() / ("impulse-control-" + std::to_string(::getpid()) + ".sock")).string();
    listener_ = std::make_unique<ControlListener>(io_, registry_, idle, [this](std::string_view line) {
      std::lock_guard lock(mu_);
      problems_.emplace_back(line);
    });
    auto listening = listener_->listen({path_, 0600, std::move(login)});
    ASSERT_TRUE(listening) << listening.error().message;
    listener_->start();
    thread_ = std::thread([this] {
      loop_thread_ = std::this_thread::get_id();
      io_.run();
    });
  }
  void TearDown() override {
    if (listener_) listener_->stop();
    guard_.reset();
    if (thread_.joinable()) thread_.join();  // ends only if every session and accept loop ended
    listener_.reset();
  }
  std::vector<std::string> problems() {
    std::lock_guard lock(mu_);
    return problems_;
  }
  // The problems once there are `n` of them (or after 5 s).
  std::vector<std::string> problems_when(std::size_t n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (problems().size() < n && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return problems();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  CommandRegistry registry_;
  std::unique_ptr<ControlListener> listener_;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_;
  std::string path_;
  std::mutex mu_;
  std::vector<std::string> problems_;
};

TEST_F(ControlListenerTest, AnswersACommand) {
  registry_.add("summary", "summary", [](const Words&, Respond r) { r(ok("Active Queue Size: 0\n")); });
  start();
  Client c(path_);
  c.send("summary\n");
  auto r = c.reply();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->text, "Active Queue Size: 0\n");
  EXPECT_TRUE(problems().empty());
}

TEST_F(ControlListenerTest, ThrowingSessionIsReportedByNameAndTheListenerGoesOn) {
  registry_.add("explode", "explode", [](const Words&, Respond) { throw std::runtime_error("handler blew up"); });
  registry_.add("ping", "ping", [](const Words&, Respond r) { r(ok("pong\n")); });
  start();
  Client first(path_);
  first.send("explode\n");
  EXPECT_TRUE(first.closed_by_peer());
  const auto reported = problems_when(1);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], "control session 1: handler blew up");
  Client second(path_);
  second.send("ping\n");
  auto r = second.reply();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "pong\n");
}

TEST_F(ControlListenerTest, StopEndsAnOpenSessionAndRemovesTheSocket) {
  registry_.add("ping", "ping", [](const Words&, Respond r) { r(ok("pong\n")); });
  start();
  Client c(path_);
  c.send("ping\n");
  ASSERT_TRUE(c.reply().has_value());  // the session is open and idle now
  const auto before = std::chrono::steady_clock::now();
  listener_->stop();
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(problems().empty());
}

TEST_F(ControlListenerTest, IdleClientIsDisconnectedAfterTimeout) {
  start(std::chrono::seconds(1));
  Client c(path_);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());
  const auto waited = std::chrono::steady_clock::now() - before;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::seconds(4));
}

TEST_F(ControlListenerTest, WithLoginCommandsWaitForAGoodPasswordCheckedOffTheLoop) {
  registry_.add("ping", "ping", [](const Words&, Respond r) { r(ok("pong\n")); });
  std::atomic<int> checks{0};
  std::atomic<bool> on_loop{false};
  start(std::chrono::seconds(60), [&](const std::string& user, const std::string& password) {
    ++checks;
    if (std::this_thread::get_id() == loop_thread_.load()) on_loop = true;
    return user == "alice" && password == "wonder land";
  });
  Client c(path_);
  c.send("ping\n");
  auto refused = c.reply();
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->ok);
  EXPECT_EQ(refused->text, LoginGate::refusal().text);
  c.send(format_login_line("alice", "wrong") + "\n");
  auto bad = c.reply();
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->text, "Login failed: unknown user or wrong password.\n");
  c.send("ping\n");
  ASSERT_FALSE(c.reply()->ok);
  c.send(format_login_line("alice", "wonder land") + "\n");
  auto good = c.reply();
  ASSERT_TRUE(good.has_value());
  EXPECT_TRUE(good->ok);
  EXPECT_EQ(good->text, "Logged in as alice.\n");
  c.send("ping\n");
  auto pong = c.reply();
  ASSERT_TRUE(pong.has_value());
  EXPECT_TRUE(pong->ok);
  EXPECT_EQ(pong->text, "pong\n");
  EXPECT_EQ(checks, 2);
  EXPECT_FALSE(on_loop);
}

TEST_F(ControlListenerTest, TheTenthFailedLoginClosesAfterDelays) {
  start(std::chrono::seconds(60), [](const std::string&, const std::string&) { return false; });
  Client c(path_);
  const auto before = std::chrono::steady_clock::now();
  for (std::size_t i = 1; i <= kLoginFailuresBeforeClose; ++i) {
    c.send(format_login_line("mallory", "guess" + std::to_string(i)) + "\n");
    auto r = c.reply();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->text.find("Too many failed logins") != std::string::npos, i == kLoginFailuresBeforeClose) << i;
  }
  // Failures 4..10 are each held back a second.
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(6900));
  EXPECT_TRUE(c.closed_by_peer());
  const auto reported = problems_when(1);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], "control session 1 (local): 10 failed logins; connection closed");
}

TEST_F(ControlListenerTest, WithoutLoginALoginLineIsANoOp) {
  registry_.add("ping", "ping", [](const Words&, Respond r) { r(ok("pong\n")); });
  start();
  Client c(path_);
  c.send(format_login_line("alice", "x") + "\nping\n");
  auto r = c.reply();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->text, "This console does not require a login.\n");
  EXPECT_EQ(c.reply()->text, "pong\n");
}

}  // namespace
}  // namespace impulse::console
