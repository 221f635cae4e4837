// Http2Connection against a real HTTP/2 server: Debian's nghttpd (TLS, ALPN
// h2, SETTINGS_MAX_CONCURRENT_STREAMS 100), started per test on 127.0.0.1
// at a free port with a certificate made by the openssl CLI for the test,
// stopped by PID. Checks concurrency on one connection, responses, TLS
// verification (untrusted chain, wrong name), connect failures, idle, and
// requests after close.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "delivery/http2/http2_connection.hpp"

extern char** environ;

namespace impulse::delivery::http2 {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::awaitable;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

int run(const std::string& command) { return std::system(command.c_str()); }

// A CA, a server certificate for 127.0.0.1 and "h2.test", and nghttpd serving
// an empty file at /3/device/ok.
class Nghttpd {
 public:
  Nghttpd() {
    if (run("command -v nghttpd > /dev/null && command -v openssl > /dev/null") != 0) return;
    char tmpl[] = "/tmp/impulse-http2-XXXXXX";
    if (!::mkdtemp(tmpl)) return;
    dir_ = tmpl;
    fs::create_directories(dir_ / "htdocs/3/device");
    std::ofstream(dir_ / "htdocs/3/device/ok").close();
    const std::string d = dir_.string();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    if (run("cd " + d + " && openssl req -x509 " + ec + " -days 2 -subj /CN=TestCA -keyout ca.key -out ca.pem 2>/dev/null"
            " && openssl req -x509 " + ec + " -days 2 -subj /CN=OtherCA -keyout other.key -out other.pem 2>/dev/null"
            " && openssl req -new " + ec + " -subj /CN=h2.test -keyout srv.key -out srv.csr 2>/dev/null"
            " && printf 'subjectAltName=DNS:h2.test,IP:127.0.0.1\\n' > srv.ext"
            " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile srv.ext"
            " -out srv.pem 2>/dev/null") != 0)
      return;
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = free_port();
      std::vector<std::string> args = {"nghttpd", "-a", "127.0.0.1", "-d", (dir_ / "htdocs").string(),
                                       std::to_string(port_), (dir_ / "srv.key").string(), (dir_ / "srv.pem").string()};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      if (posix_spawnp(&pid, "nghttpd", nullptr, nullptr, argv.data(), environ) != 0) return;
      // Readiness probe (not synchronisation of behaviour): until it listens or exits.
      for (int i = 0; i < 500; ++i) {
        if (accepts_connections(port_)) {
          pid_ = pid;
          break;
        }
        if (::waitpid(pid, nullptr, WNOHANG) == pid) break;
        struct timespec ts{0, 10'000'000};
        ::nanosleep(&ts, nullptr);
      }
      if (pid_ <= 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  }
  ~Nghttpd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  std::string file(const char* name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

#define REQUIRE_SERVER(server) \
  if (!server.running()) GTEST_SKIP() << "nghttpd (nghttp2-server) and openssl are needed"

Http2ConnectOptions options(const Nghttpd& server, std::string ca, std::string host = "127.0.0.1") {
  Http2ConnectOptions o;
  o.host = std::move(host);
  o.address = "127.0.0.1";
  o.port = server.port();
  o.connect_timeout = std::chrono::seconds(5);
  o.write_timeout = std::chrono::seconds(5);
  auto tls = make_http2_tls_context(Http2TlsOptions{true, std::move(ca), "", ""});
  EXPECT_TRUE(tls) << tls.error().message;
  if (tls) o.tls = *tls;
  return o;
}

// Runs `task` on a fresh io_context until it ends.
template <class Task>
void run_io(Task task) {
  asio::io_context io;
  bool done = false;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    co_await task(io.get_executor());
    done = true;
  }, asio::detached);
  io.run_for(std::chrono::seconds(30));
  EXPECT_TRUE(done) << "the test's coroutine did not finish";
}

TEST(Http2Connection, ManyConcurrentRequestsShareOneConnectionWithinTheServersLimit) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  const Http2ConnectOptions opts = options(server, server.file("ca.pem"));
  std::vector<int> statuses;
  std::size_t streams = 0;
  std::size_t peak_open = 0;
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(ex, opts);
    EXPECT_TRUE(conn) << (conn ? "" : conn.error().detail);
    if (!conn) co_return;
    streams = (*conn)->max_concurrent_streams();
    // 20 requests started together: each its own coroutine on the one connection.
    std::size_t finished = 0;
    asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
    for (int i = 0; i < 20; ++i) {
      asio::co_spawn(ex, [&, i, c = *conn]() -> awaitable<void> {
        Http2Request req;
        req.path = i == 19 ? "/3/device/missing" : "/3/device/ok";
        req.headers = {{"content-type", "application/json"}};
        req.body = "{\"n\":" + std::to_string(i) + "}";
        req.timeout = std::chrono::seconds(5);
        auto r = co_await c->request(req);
        peak_open = std::max(peak_open, c->open_streams() + 1);
        statuses.push_back(r ? r->status : -1);
        if (++finished == 20) all_done.cancel();
      }, asio::detached);
    }
    peak_open = std::max(peak_open, (*conn)->open_streams());
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE((*conn)->usable());
    co_await (*conn)->close(std::chrono::seconds(2));
    EXPECT_FALSE((*conn)->usable());
  });
  EXPECT_EQ(streams, 100u);  // nghttpd's SETTINGS_MAX_CONCURRENT_STREAMS
  ASSERT_EQ(statuses.size(), 20u);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 19);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 404), 1);
  EXPECT_GE(peak_open, 20u);  // all were in flight at once
}

TEST(Http2Connection, UntrustedChainFailsTheHandshakeCheck) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  const Http2ConnectOptions opts = options(server, server.file("other.pem"));
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(ex, opts);
    EXPECT_FALSE(conn);
    if (conn) co_return;
    EXPECT_EQ(conn.error().kind, Http2ErrorKind::kTls);
    EXPECT_NE(conn.error().detail.find("certificate verify failed"), std::string::npos) << conn.error().detail;
  });
}

TEST(Http2Connection, ACertificateForAnotherNameIsRefusedUnlessVerificationIsOff) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  Http2ConnectOptions wrong = options(server, server.file("ca.pem"), "api.push.apple.com");
  Http2ConnectOptions right = options(server, server.file("ca.pem"), "h2.test");
  Http2ConnectOptions unchecked = wrong;
  unchecked.verify = false;
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto refused = co_await Http2Connection::connect(ex, wrong);
    EXPECT_FALSE(refused);
    if (!refused) {
      EXPECT_EQ(refused.error().detail, "certificate does not match host api.push.apple.com");
    }
    auto named = co_await Http2Connection::connect(ex, right);
    EXPECT_TRUE(named) << (named ? "" : named.error().detail);
    auto accepted = co_await Http2Connection::connect(ex, unchecked);
    EXPECT_TRUE(accepted) << (accepted ? "" : accepted.error().detail);
    if (named) co_await (*named)->close(std::chrono::seconds(1));
    if (accepted) co_await (*accepted)->close(std::chrono::seconds(1));
  });
}

TEST(Http2Connection, RefusedConnectionIsAConnectError) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  Http2ConnectOptions opts = options(server, server.file("ca.pem"));
  opts.port = free_port();  // nothing listens there
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(ex, opts);
    EXPECT_FALSE(conn);
    if (!conn) {
      EXPECT_EQ(conn.error().kind, Http2ErrorKind::kConnect);
    }
  });
}

TEST(Http2Connection, IdleEndsOnItsDeadlineOrWhenWokenAndRequestsAfterCloseAreNotProcessed) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  const Http2ConnectOptions opts = options(server, server.file("ca.pem"));
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(ex, opts);
    EXPECT_TRUE(conn);
    if (!conn) co_return;
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(co_await (*conn)->idle(std::chrono::milliseconds(100)), Http2IdleEnd::kTimedOut);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(90));
    (*conn)->wake();  // before idle: the next idle returns at once
    EXPECT_EQ(co_await (*conn)->idle(std::chrono::seconds(10)), Http2IdleEnd::kWoken);
    co_await (*conn)->close(std::chrono::seconds(1));
    Http2Request req;
    req.path = "/3/device/ok";
    auto r = co_await (*conn)->request(req);
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().kind, Http2ErrorKind::kNotProcessed);
    }
    EXPECT_EQ(co_await (*conn)->idle(std::chrono::seconds(10)), Http2IdleEnd::kClosed);
  });
}

TEST(Http2Connection, AServerAnsweringPingsKeepsAnIdleConnectionPastPingTimeout) {
  Nghttpd server;
  REQUIRE_SERVER(server);
  Http2ConnectOptions opts = options(server, server.file("ca.pem"));
  opts.ping_interval = std::chrono::milliseconds(50);
  opts.ping_timeout = std::chrono::milliseconds(100);
  run_io([&](asio::any_io_executor ex) -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(ex, opts);
    EXPECT_TRUE(conn);
    if (!conn) co_return;
    // Idle five times the watchdog's limit: nghttpd's PING acks keep it.
    EXPECT_EQ(co_await (*conn)->idle(std::chrono::milliseconds(750)), Http2IdleEnd::kTimedOut);
    EXPECT_TRUE((*conn)->usable()) << (*conn)->end_reason();
    EXPECT_GE((*conn)->pings_sent(), 3u);
    Http2Request req;
    req.path = "/3/device/ok";
    req.timeout = std::chrono::seconds(5);
    auto r = co_await (*conn)->request(req);
    EXPECT_TRUE(r) << (r ? "" : r.error().detail);
    co_await (*conn)->close(std::chrono::seconds(1));
  });
}

}  // namespace
}  // namespace impulse::delivery::http2
