// Http1Connection against a Beast HTTP/1.1 server run by the test (its own
// thread and io_context, synchronous Beast calls), plain and TLS with
// certificates made for this run by the openssl command line: keep-alive
// reuse, headers and body as sent, deadlines, Connection: close, a server
// closing an idle or a kept-alive connection, certificate checks and the
// optional client certificate.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "delivery/http1/http1_connection.hpp"

namespace impulse::delivery::http1 {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// What the server saw.
struct Seen {
  std::mutex mutex;
  int connections = 0;
  std::vector<http::request<http::string_body>> requests;
  bool client_certificate = false;
};

// One connection's behaviour: reads requests and answers them through
// `answer` (nullopt = close without answering; "hang" = wait for the client
// to close).
struct Reply {
  enum Kind { kAnswer, kClose, kHang } kind = kAnswer;
  unsigned status = 200;
  std::string body = {};
  bool keep_alive = true;
  bool close_after = false;
};
using Script = std::function<Reply(int index_on_connection, const http::request<http::string_body>&)>;

class TestServer {
 public:
  TestServer(Script script, asio::ssl::context* tls = nullptr)
      : script_(std::move(script)), tls_(tls), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  Seen seen;

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      {
        std::lock_guard lock(seen.mutex);
        ++seen.connections;
      }
      if (tls_) {
        asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
        stream.handshake(asio::ssl::stream_base::server, ec);
        if (ec) continue;
        {
          std::lock_guard lock(seen.mutex);
          seen.client_certificate = SSL_get0_peer_certificate(stream.native_handle()) != nullptr;
        }
        talk(stream);
      } else {
        talk(socket);
      }
    }
  }
  template <class Stream>
  void talk(Stream& stream) {
    boost::beast::flat_buffer buffer;
    for (int i = 0;; ++i) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      {
        std::lock_guard lock(seen.mutex);
        seen.requests.push_back(req);
      }
      const Reply reply = script_(i, req);
      if (reply.kind == Reply::kClose) return;
      if (reply.kind == Reply::kHang) {
        char c;
        boost::system::error_code ignored;
        asio::read(stream, asio::buffer(&c, 1), ignored);  // until the client gives up
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, "text/plain");
      res.keep_alive(reply.keep_alive);
      res.body() = reply.body;
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || !reply.keep_alive || reply.close_after) return;
    }
  }

  Script script_;
  asio::ssl::context* tls_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Reply ok(std::string body = "fine") { return Reply{Reply::kAnswer, 200, std::move(body)}; }

Http1ConnectOptions plain_options(std::uint16_t port) {
  Http1ConnectOptions o;
  o.host = "mmsc.test";
  o.address = "127.0.0.1";
  o.port = port;
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

TEST(Http1Connection, KeepsOneConnectionForSeveralRequestsAndSendsWhatWasAsked) {
  TestServer server([](int i, const auto& req) { return ok("answer " + std::to_string(i) + " " + req.body()); });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value()) << conn.error().detail;
  Http1Request req;
  req.target = "/mm7/submit?x=1";
  req.headers = {{"SOAPAction", "\"\""}, {"Content-Type", "text/xml"}};
  req.body = "<xml/>";
  auto first = run(io, (*conn)->request(req));
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->reason, "OK");
  EXPECT_EQ(first->body, "answer 0 <xml/>");
  EXPECT_EQ(first->header("content-type"), "text/plain");
  EXPECT_TRUE(first->keep_alive);
  auto second = run(io, (*conn)->request(req));
  ASSERT_TRUE(second.has_value()) << second.error().detail;
  EXPECT_EQ(second->body, "answer 1 <xml/>");
  EXPECT_TRUE((*conn)->usable());
  EXPECT_EQ((*conn)->responses(), 2u);
  std::lock_guard lock(server.seen.mutex);
  EXPECT_EQ(server.seen.connections, 1);
  ASSERT_EQ(server.seen.requests.size(), 2u);
  const auto& got = server.seen.requests[0];
  EXPECT_EQ(got.method(), http::verb::post);
  EXPECT_EQ(got.target(), "/mm7/submit?x=1");
  EXPECT_EQ(got[http::field::host], "mmsc.test:" + std::to_string(server.port()));
  EXPECT_EQ(got["SOAPAction"], "\"\"");
  EXPECT_EQ(got[http::field::content_length], "6");
  EXPECT_EQ(got.body(), "<xml/>");
}

TEST(Http1Connection, HostHeaderFromTheRequestWins) {
  TestServer server([](int, const auto&) { return ok(); });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  req.host = "virtual.example";
  auto r = run(io, (*conn)->request(req));
  ASSERT_TRUE(r.has_value());
  std::lock_guard lock(server.seen.mutex);
  EXPECT_EQ(server.seen.requests.at(0)[http::field::host], "virtual.example");
}

TEST(Http1Connection, NonSuccessStatusIsAResponseNotAnError) {
  TestServer server([](int, const auto&) { return Reply{Reply::kAnswer, 401, "who are you"}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->reason, "Unauthorized");
  EXPECT_EQ(r->body, "who are you");
}

TEST(Http1Connection, SilentServerTimesOutAndTheConnectionIsDropped) {
  TestServer server([](int, const auto&) { return Reply{Reply::kHang}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  req.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto r = run(io, (*conn)->request(req));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, Http1ErrorKind::kTimeout);
  EXPECT_EQ(r.error().detail, "no response within 300 ms");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_FALSE((*conn)->usable());
}

TEST(Http1Connection, ConnectionCloseResponseEndsReuse) {
  TestServer server([](int, const auto&) { return Reply{Reply::kAnswer, 200, "bye", false}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->keep_alive);
  EXPECT_FALSE((*conn)->usable());
  auto again = run(io, (*conn)->request(req));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, Http1ErrorKind::kNotProcessed);
}

TEST(Http1Connection, IdleNoticesTheServerClosing) {
  TestServer server([](int, const auto&) { return Reply{Reply::kAnswer, 200, "x", true, true}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  ASSERT_TRUE(run(io, (*conn)->request(req)).has_value());
  EXPECT_EQ(run(io, (*conn)->idle(std::chrono::milliseconds(5000))), Http1IdleEnd::kClosed);
  EXPECT_FALSE((*conn)->usable());
  EXPECT_EQ((*conn)->end_reason(), "connection closed by the server");
}

TEST(Http1Connection, IdleEndsOnWakeOrItsDeadline) {
  TestServer server([](int, const auto&) { return ok(); });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  EXPECT_EQ(run(io, (*conn)->idle(std::chrono::milliseconds(100))), Http1IdleEnd::kTimedOut);
  (*conn)->wake();
  EXPECT_EQ(run(io, (*conn)->idle(std::chrono::milliseconds(5000))), Http1IdleEnd::kWoken);
  asio::steady_timer poke(io);
  poke.expires_after(std::chrono::milliseconds(50));
  poke.async_wait([&](auto) { (*conn)->wake(); });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run(io, (*conn)->idle(std::chrono::milliseconds(5000))), Http1IdleEnd::kWoken);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4000));
  // Still usable after an interrupted idle read.
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
}

TEST(Http1Connection, KeptAliveConnectionClosedBeforeAnswerIsNotProcessed) {
  TestServer server([](int i, const auto&) { return i == 0 ? ok() : Reply{Reply::kClose}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  ASSERT_TRUE(run(io, (*conn)->request(req)).has_value());
  auto r = run(io, (*conn)->request(req));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, Http1ErrorKind::kNotProcessed);
}

TEST(Http1Connection, FirstRequestOnAConnectionClosedIsLost) {
  TestServer server([](int, const auto&) { return Reply{Reply::kClose}; });
  asio::io_context io;
  const auto options = plain_options(server.port());
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, Http1ErrorKind::kConnectionLost);
}

TEST(Http1Connection, OversizedBodyIsAProtocolError) {
  TestServer server([](int, const auto&) { return ok(std::string(4096, 'x')); });
  asio::io_context io;
  auto options = plain_options(server.port());
  options.max_response_body = 1024;
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value());
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, Http1ErrorKind::kProtocol);
}

TEST(Http1Connection, RefusedConnectIsAConnectError) {
  std::uint16_t port;
  {
    asio::io_context tmp;
    tcp::acceptor a(tmp, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  asio::io_context io;
  const auto options = plain_options(port);
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().kind, Http1ErrorKind::kConnect);
}

class Http1Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/impulse-http1-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string d = dir_.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir_ / "server.ext") << "subjectAltName=DNS:mmsc.test\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::vector<std::string> commands = {
        "openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d + "/ca.pem -days 2 -subj /CN=Impulse-Test-CA",
        "openssl req" + ec + " -keyout " + d + "/server.key -out " + d + "/server.csr -subj /CN=mmsc.test",
        "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
            d + "/server.pem -days 2 -extfile " + d + "/server.ext",
        "openssl req" + ec + " -keyout " + d + "/client.key -out " + d + "/client.csr -subj /CN=client.test",
        "openssl x509 -req -in " + d + "/client.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
            d + "/client.pem -days 2 -extfile " + d + "/client.ext",
    };
    for (const auto& cmd : commands) ASSERT_EQ(std::system((cmd + " >>" + d + "/openssl.log 2>&1").c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static std::string file(const char* name) { return (dir_ / name).string(); }

  void SetUp() override {
    server_ctx_.emplace(asio::ssl::context::tls_server);
    server_ctx_->use_certificate_chain_file(file("server.pem"));
    server_ctx_->use_private_key_file(file("server.key"), asio::ssl::context::pem);
    server_ctx_->load_verify_file(file("ca.pem"));
    // Ask for a client certificate without requiring one.
    server_ctx_->set_verify_mode(asio::ssl::verify_peer);
    server_ctx_->set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
  }

  Http1ConnectOptions tls_options(std::uint16_t port, Http1TlsOptions tls, std::string host = "mmsc.test") {
    auto o = plain_options(port);
    o.host = std::move(host);
    o.verify = tls.verify;
    auto ctx = make_http1_tls_context(tls);
    EXPECT_TRUE(ctx.has_value());
    o.tls = *ctx;
    return o;
  }

  static inline fs::path dir_;
  std::optional<asio::ssl::context> server_ctx_;
};

TEST_F(Http1Tls, VerifiedAgainstTlsCaWithTheHostName) {
  TestServer server([](int, const auto&) { return ok("secure"); }, &*server_ctx_);
  asio::io_context io;
  const auto options = tls_options(server.port(), {.verify = true, .ca = file("ca.pem")});
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value()) << conn.error().detail;
  Http1Request req;
  auto r = run(io, (*conn)->request(req));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->body, "secure");
  std::lock_guard lock(server.seen.mutex);
  EXPECT_FALSE(server.seen.client_certificate);
  EXPECT_EQ(server.seen.requests.at(0)[http::field::host], "mmsc.test:" + std::to_string(server.port()));
}

TEST_F(Http1Tls, WrongHostNameIsRefused) {
  TestServer server([](int, const auto&) { return ok(); }, &*server_ctx_);
  asio::io_context io;
  const auto options = tls_options(server.port(), {.verify = true, .ca = file("ca.pem")}, "other.test");
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().kind, Http1ErrorKind::kTls);
  EXPECT_EQ(conn.error().detail, "certificate does not match host other.test");
}

TEST_F(Http1Tls, UnknownCaIsRefusedByDefault) {
  TestServer server([](int, const auto&) { return ok(); }, &*server_ctx_);
  asio::io_context io;
  const auto options = tls_options(server.port(), {});
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().kind, Http1ErrorKind::kTls);
  EXPECT_NE(conn.error().detail.find("certificate verify failed"), std::string::npos) << conn.error().detail;
}

TEST_F(Http1Tls, VerifyOffAcceptsAnyCertificate) {
  TestServer server([](int, const auto&) { return ok(); }, &*server_ctx_);
  asio::io_context io;
  const auto options = tls_options(server.port(), {.verify = false}, "other.test");
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value()) << conn.error().detail;
}

TEST_F(Http1Tls, ClientCertificateIsPresentedWhenConfigured) {
  TestServer server([](int, const auto&) { return ok(); }, &*server_ctx_);
  asio::io_context io;
  const auto options = tls_options(
      server.port(),
      {.verify = true, .ca = file("ca.pem"), .certificate = file("client.pem"), .key = file("client.key")});
  auto conn = run(io, Http1Connection::connect(io.get_executor(), options));
  ASSERT_TRUE(conn.has_value()) << conn.error().detail;
  Http1Request req;
  ASSERT_TRUE(run(io, (*conn)->request(req)).has_value());
  std::lock_guard lock(server.seen.mutex);
  EXPECT_TRUE(server.seen.client_certificate);
}

TEST_F(Http1Tls, UnreadableCaFileFailsToBuildTheContext) {
  auto ctx = make_http1_tls_context({.verify = true, .ca = "/nonexistent/ca.pem"});
  ASSERT_FALSE(ctx.has_value());
  EXPECT_NE(ctx.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace impulse::delivery::http1
