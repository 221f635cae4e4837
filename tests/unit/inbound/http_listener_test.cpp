// Loopback tests for inbound/http/: the real HttpListener on two event
// loops (each in its own thread) serving the injection and health routes
// over a FakeInjector, driven by a Beast client. Waits are reads of the
// server's replies or polls with a deadline (the client's 10 s timeout only
// guards against hangs).
#include "inbound/http/http_listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>

#include "fake_injector.hpp"
#include "inbound/http/health_routes.hpp"
#include "inbound/http/http_route.hpp"
#include "inbound/http/injection_routes.hpp"

namespace impulse::inbound::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using inbound::testing::FakeInjector;

constexpr const char* kMessageBody =
    R"({"envelope_sender": "a@sender.test", "recipients": ["r@example.com"], "content": "Subject: t\n\nhi\n"})";

class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(beast_http::verb verb, std::string target, std::string body = "") {
    Request req{verb, target, 11};
    req.set(beast_http::field::host, "localhost");
    req.body() = std::move(body);
    req.prepare_payload();
    beast_http::write(socket_, req);
  }
  Response receive() {
    Response res;
    beast_http::read(socket_, buffer_, res);
    return res;
  }
  Response call(beast_http::verb verb, std::string target, std::string body = "") {
    send(verb, std::move(target), std::move(body));
    return receive();
  }
  // True when nothing has arrived (the server has not answered yet).
  bool nothing_yet() {
    char c;
    return ::recv(socket_.native_handle(), &c, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && buffer_.size() == 0;
  }
  // True once the server closed the connection (EOF within the timeout).
  bool closed_by_server() {
    char c;
    return ::recv(socket_.native_handle(), &c, 1, 0) == 0;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

boost::json::value json_of(const Response& res) { return boost::json::parse(res.body()); }

template <class F>
bool eventually(F f) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return f();
}

class HttpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add_injection_routes(routes_, injector_);
    add_health_routes(routes_, [this]() -> std::optional<std::string> {
      if (not_ready_) return std::string("spool full");
      return std::nullopt;
    });
    routes_.add(beast_http::verb::get, "/boom", Access::kApiKey,
                [](const Request&, const RequestContext&) -> asio::awaitable<Response> {
                  throw std::runtime_error("handler bug");
                  co_return Response{};
                });
  }

  ::testing::AssertionResult start(HttpListenerSettings s = {}) {
    s.address = "127.0.0.1";
    s.port = 0;
    if (s.relay_hosts.empty()) s.relay_hosts = default_http_relay_hosts();
    std::vector<asio::io_context*> raw;
    for (int i = 0; i < 2; ++i) {
      ios_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(ios_.back()->get_executor());
      raw.push_back(ios_.back().get());
    }
    auto opened = HttpListener::open(raw, {s}, routes_, [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_.push_back(line);
    });
    if (!opened) return ::testing::AssertionFailure() << opened.error().message;
    listener_ = std::move(*opened);
    listener_->start();
    for (auto& io : ios_) threads_.emplace_back([io = io.get()] { io->run(); });
    return ::testing::AssertionSuccess();
  }

  void TearDown() override {
    if (listener_) {
      auto done = std::make_shared<std::promise<void>>();
      auto finished = done->get_future();
      listener_->stop([done] { done->set_value(); });
      EXPECT_EQ(finished.wait_for(std::chrono::seconds(20)), std::future_status::ready);
      listener_.reset();
    }
    guards_.clear();
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) t.join();
  }

  std::vector<std::string> log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  std::uint16_t port() const { return listener_->port(0); }

  Routes routes_;
  FakeInjector injector_;
  bool not_ready_ = false;
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<HttpListener> listener_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(HttpListenerTest, ApiMessageIsAnsweredOnlyOnceTheInjectorSaysDurable) {
  ASSERT_TRUE(start());
  injector_.defer(true);
  Client c(port());
  c.send(beast_http::verb::post, "/api/v1/messages", kMessageBody);
  ASSERT_TRUE(eventually([&] { return injector_.pending() == 1; }));
  EXPECT_TRUE(c.nothing_yet());
  injector_.complete_next(std::string("ID-1"));
  auto res = c.receive();
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(json_of(res), boost::json::parse(R"({"id": "ID-1", "recipients": 1})"));

  const auto msgs = injector_.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].protocol, spool::Protocol::kRest);
  EXPECT_EQ(msgs[0].peer_ip, "");  // logged as "unknown", as Momentum does
  EXPECT_EQ(msgs[0].mail_from, "a@sender.test");
  EXPECT_EQ(msgs[0].recipients, std::vector<std::string>{"r@example.com"});
  EXPECT_EQ(msgs[0].data, "Subject: t\r\n\r\nhi\r\n");
  EXPECT_EQ(msgs[0].listener_address, "127.0.0.1:" + std::to_string(port()));
  EXPECT_FALSE(msgs[0].tls);
  EXPECT_NE(msgs[0].connection_id.find("-H0-"), std::string::npos) << msgs[0].connection_id;
}

TEST_F(HttpListenerTest, SpoolFailureIs503AndNothingIsAcknowledged) {
  ASSERT_TRUE(start());
  injector_.fail_with("disk on fire");
  Client c(port());
  auto res = c.call(beast_http::verb::post, "/api/v1/messages", kMessageBody);
  EXPECT_EQ(res.result(), beast_http::status::service_unavailable);
  EXPECT_EQ(json_of(res).at("error").as_string(), "451 4.3.0 message not spooled: disk on fire");

  auto inject = c.call(beast_http::verb::post, "/v1.0/inject/",
                       R"({"template": "x", "recipients": [{"to": "a@b.test", "from": ""}]})");
  EXPECT_EQ(inject.result(), beast_http::status::service_unavailable);
  EXPECT_EQ(json_of(inject).at("status").as_string(), "failure");
  EXPECT_EQ(json_of(inject).at("results").at(0).at("status").as_string(), "failure");
}

TEST_F(HttpListenerTest, MomentumInjectGivesOneMessagePerRecipientOnOneKeepAliveConnection) {
  ASSERT_TRUE(start());
  Client c(port());
  auto res = c.call(beast_http::verb::post, "/v1.0/inject/",
                    R"({"template": "To: <%= :to %>\n\nHi [%= :n %]\n", "recipients": [
                        {"to": "a@b.test", "from": "s@x.test", "keys": {"n": "A"}},
                        {"to": "c@d.test", "from": "s@x.test", "keys": {"n": "C"}}]})");
  ASSERT_EQ(res.result(), beast_http::status::ok) << res.body();
  EXPECT_EQ(json_of(res), boost::json::parse(R"({"results": [
      {"status": "success", "mid": "MSG1", "reason": "250 MSG1"},
      {"status": "success", "mid": "MSG2", "reason": "250 MSG2"}], "status": "success"})"));
  const auto msgs = injector_.messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].data, "To: a@b.test\r\n\r\nHi A\r\n");
  EXPECT_EQ(msgs[1].data, "To: c@d.test\r\n\r\nHi C\r\n");
  // the same connection serves the next request
  EXPECT_EQ(c.call(beast_http::verb::get, "/healthz").result(), beast_http::status::ok);
}

TEST_F(HttpListenerTest, BindingBecomesAHeaderTheInjectorPolicyReads) {
  ASSERT_TRUE(start());
  Client c(port());
  auto res = c.call(beast_http::verb::post, "/api/v1/messages",
                    R"({"envelope_sender": "", "recipients": ["r@e.test"], "content": "S: x\n\nb\n",
                        "binding": "b1", "binding_group": "g1"})");
  ASSERT_EQ(res.result(), beast_http::status::ok) << res.body();
  EXPECT_EQ(injector_.messages().at(0).data, "X-Impulse-Binding-Group: g1\r\nX-Impulse-Binding: b1\r\nS: x\r\n\r\nb\r\n");
}

TEST_F(HttpListenerTest, BrokenMcmtIsRefusedAsUnderMcmtReceptionAllow) {
  ASSERT_TRUE(start());
  Client c(port());
  // multipart/vnd.msys.mcmt without its message/rfc822 part
  const std::string mcmt =
      "Content-Type: multipart/vnd.msys.mcmt; boundary=\\\"b\\\"\\r\\n\\r\\n--b\\r\\n"
      "Content-Type: message/vnd.msys.apn\\r\\n\\r\\n{}\\r\\n--b--\\r\\n";
  auto res = c.call(beast_http::verb::post, "/api/v1/messages",
                    R"({"envelope_sender": "", "recipients": ["r@e.test"], "content": ")" + mcmt + R"("})");
  EXPECT_EQ(res.result(), beast_http::status::bad_request) << res.body();
  EXPECT_EQ(json_of(res).at("error").as_string().find("MCMT message refused: "), 0u) << res.body();
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(HttpListenerTest, ReadyzFollowsTheCheckAndAThrowingHandlerIs500) {
  ASSERT_TRUE(start());
  Client c(port());
  EXPECT_EQ(c.call(beast_http::verb::get, "/readyz").result(), beast_http::status::ok);
  not_ready_ = true;
  auto res = c.call(beast_http::verb::get, "/readyz");
  EXPECT_EQ(res.result(), beast_http::status::service_unavailable);
  EXPECT_EQ(json_of(res).at("error").as_string(), "spool full");

  auto boom = c.call(beast_http::verb::get, "/boom");
  EXPECT_EQ(boom.result(), beast_http::status::internal_server_error);
  EXPECT_EQ(json_of(boom).at("error").as_string(), "internal error");
  ASSERT_TRUE(eventually([&] { return log().size() >= 2; }));
  const auto lines = log();
  EXPECT_NE(lines[0].find("GET /boom: handler bug"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("GET /boom: 500"), std::string::npos) << lines[1];
  EXPECT_EQ(c.call(beast_http::verb::get, "/healthz").result(), beast_http::status::ok);
}

TEST_F(HttpListenerTest, OversizeBodyIs413AndTheConnectionCloses) {
  HttpListenerSettings s;
  s.max_request_size = 100;
  ASSERT_TRUE(start(s));
  Client c(port());
  auto res = c.call(beast_http::verb::post, "/api/v1/messages", std::string(500, 'x'));
  EXPECT_EQ(res.result(), beast_http::status::payload_too_large);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_EQ(injector_.count(), 0u);
}

TEST_F(HttpListenerTest, SilentClientIsClosedAfterTheHeaderTimeoutAndStopEndsIdleConnections) {
  HttpListenerSettings s;
  s.header_timeout = std::chrono::seconds(1);
  ASSERT_TRUE(start(s));
  Client silent(port());
  EXPECT_TRUE(silent.closed_by_server());
  Client idle(port());
  ASSERT_EQ(idle.call(beast_http::verb::get, "/healthz").result(), beast_http::status::ok);
  EXPECT_EQ(listener_->open_sessions(), 1u);
  EXPECT_TRUE(listener_->accepting());
}

}  // namespace
}  // namespace impulse::inbound::http
