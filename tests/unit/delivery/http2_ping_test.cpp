// Http2Connection's PING watchdog against a server that goes silent: a
// cleartext (prior knowledge) peer on 127.0.0.1 that sends its SETTINGS and
// then reads everything and answers nothing. The connection must end with
// kConnectionLost "no answer to PING ..." within ping_interval +
// ping_timeout, ending the request waiting on it long before its own
// deadline, and idle() must return kClosed. (A live server answering PINGs
// keeps the connection: http2_connection_test.cpp, against nghttpd.)
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "delivery/http2/http2_connection.hpp"

namespace impulse::delivery::http2 {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Accepts one connection, sends an empty SETTINGS frame, then reads and
// discards until the client closes; never writes again (no SETTINGS ack, no
// PING ack, no response).
awaitable<void> silent_server(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<bool> client_closed) {
  auto [ec, socket] = co_await acceptor->async_accept(kTuple);
  if (ec) co_return;
  static const unsigned char kSettings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  co_await asio::async_write(socket, asio::buffer(kSettings), kTuple);
  char sink[4096];
  for (;;) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(sink), kTuple);
    if (rec) break;
  }
  *client_closed = true;
}

TEST(Http2Ping, ASilentServerLosesTheConnectionAfterPingIntervalPlusPingTimeout) {
  asio::io_context io;
  auto acceptor = std::make_shared<tcp::acceptor>(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto client_closed = std::make_shared<bool>(false);
  asio::co_spawn(io, silent_server(acceptor, client_closed), asio::detached);

  Http2ConnectOptions o;
  o.host = "h2.test";
  o.address = "127.0.0.1";
  o.port = acceptor->local_endpoint().port();
  o.use_tls = false;
  o.connect_timeout = std::chrono::seconds(5);
  o.write_timeout = std::chrono::seconds(5);
  o.ping_interval = std::chrono::milliseconds(200);
  o.ping_timeout = std::chrono::milliseconds(300);
  auto tls = make_http2_tls_context(Http2TlsOptions{false, "", "", ""});
  ASSERT_TRUE(tls) << tls.error().message;
  o.tls = *tls;

  bool done = false;
  std::optional<Http2Error> error;
  std::chrono::steady_clock::duration waited{};
  std::uint64_t pings = 0;
  Http2IdleEnd idle_end = Http2IdleEnd::kWoken;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    auto conn = co_await Http2Connection::connect(io.get_executor(), o);
    EXPECT_TRUE(conn) << (conn ? "" : conn.error().detail);
    if (!conn) co_return;
    Http2Request req;
    req.path = "/3/device/abc";
    req.body = "{}";
    req.timeout = std::chrono::seconds(20);  // far beyond the watchdog's 0.5 s
    const auto t0 = std::chrono::steady_clock::now();
    auto r = co_await (*conn)->request(req);
    waited = std::chrono::steady_clock::now() - t0;
    if (!r) error = r.error();
    pings = (*conn)->pings_sent();
    idle_end = co_await (*conn)->idle(std::chrono::seconds(20));
    EXPECT_FALSE((*conn)->alive());
    done = true;
  }, asio::detached);
  io.run_for(std::chrono::seconds(10));

  ASSERT_TRUE(done) << "the request was not ended by the PING deadline";
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, Http2ErrorKind::kConnectionLost);
  EXPECT_EQ(error->detail, "no answer to PING within 300 ms");
  EXPECT_GE(waited, std::chrono::milliseconds(450));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(pings, 1u);
  EXPECT_EQ(idle_end, Http2IdleEnd::kClosed);
  EXPECT_TRUE(*client_closed);  // the socket was closed, not left open
}

}  // namespace
}  // namespace impulse::delivery::http2
