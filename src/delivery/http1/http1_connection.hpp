// Http1Connection: one HTTP/1.1 keep-alive client connection, plain or TLS,
// over Boost.Beast (RFC 9112). Generic: MM7 uses it (SPEC §14), the legacy
// GCM and FCM token requests may (SPEC §13).
//
//   Http1ConnectOptions opts{...};                          // a named object (g++ 12 coroutines)
//   auto conn = co_await Http1Connection::connect(executor, opts);
//   if (!conn) conn.error(): kConnect / kTls
//   Http1Request req{...};                                  // a named object too
//   auto r = co_await (*conn)->request(req);
//   r->status, r->reason, r->headers, r->body  |  r.error().kind (http1_types.hpp)
//
// connect(): TCP connect to `address` (bind_address as source if set); with
// a TLS context, the handshake with SNI and the certificate check
// (http1_tls.hpp: chain to tls_ca or the system store, name = `host`,
// unless verify is off); all within connect_timeout.
// request(): one request at a time (HTTP/1.1 without pipelining: the caller
// runs one request() at a time per connection), with Host (the request's,
// else `host`), Content-Length and the caller's headers; the whole
// exchange within the request's timeout. The response body is limited to
// max_response_body. After a timeout, a protocol error, a lost connection
// or a response that does not keep the connection alive, usable() is false.
// idle(timeout): waits for wake(), the timeout or the server closing the
// connection (a read is kept pending meanwhile, so a kept-alive connection
// that the server drops is noticed before the next request is written).
// close(): closes the socket (no TLS close_notify wait: HTTP/1.1 lets a
// client close between requests).
//
// Deadlines (docs/architecture.md rule 5): connect_timeout for opening,
// each request's timeout for writing it and reading its response, idle()
// its own. Executor: everything runs on the executor given to connect()
// (one event loop); calls must come from it. No coroutine of its own.
// Never throws except std::bad_alloc. Internal to src/delivery (includes
// Asio and Beast).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/expected.hpp"
#include "delivery/http1/http1_tls.hpp"
#include "delivery/http1/http1_types.hpp"

namespace impulse::delivery::http1 {

struct Http1ConnectOptions {
  std::string host;          // the route host: SNI, certificate name, default Host header
  std::string address;       // IP address to connect to
  std::uint16_t port = 80;
  std::string bind_address;  // source address; "" = the kernel chooses
  Http1TlsContextPtr tls;    // make_http1_tls_context; null = plain HTTP
  bool verify = true;        // check the certificate (tls_verify != no); TLS only
  std::chrono::milliseconds connect_timeout{30'000};
  std::size_t max_response_body = 1 << 20;  // larger bodies are kProtocol
};

enum class Http1IdleEnd { kWoken, kTimedOut, kClosed };

class Http1Connection {
 public:
  using Ptr = std::shared_ptr<Http1Connection>;

  static boost::asio::awaitable<impulse::expected<Ptr, Http1Error>> connect(boost::asio::any_io_executor executor,
                                                                             const Http1ConnectOptions& options);

  // `request` must stay alive until the coroutine ends (a named object).
  boost::asio::awaitable<impulse::expected<Http1Response, Http1Error>> request(const Http1Request& request);

  // Open, and the last response (if any) kept it alive: a request may be sent.
  bool usable() const { return open_ && !broken_; }
  // Requests answered on this connection.
  std::uint64_t responses() const { return responses_; }
  // Why it is no longer usable ("connection closed by the server", "timeout"), or "".
  const std::string& end_reason() const { return end_reason_; }
  const Http1ConnectOptions& options() const { return options_; }

  boost::asio::awaitable<Http1IdleEnd> idle(std::chrono::milliseconds timeout);
  void wake();
  void close();

  Http1Connection(boost::asio::any_io_executor executor, const Http1ConnectOptions& options);
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

 private:
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  boost::asio::awaitable<impulse::expected<void, Http1Error>> start();
  template <class Stream>
  boost::asio::awaitable<impulse::expected<Http1Response, Http1Error>> exchange(Stream& stream,
                                                                               const Http1Request& request);
  template <class Stream>
  boost::asio::awaitable<Http1IdleEnd> watch(Stream& stream, std::chrono::milliseconds timeout);
  boost::asio::ip::tcp::socket& socket();
  void give_up(std::string reason);

  boost::asio::any_io_executor executor_;
  Http1ConnectOptions options_;
  boost::asio::ip::tcp::socket plain_;
  std::unique_ptr<TlsStream> tls_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
  bool broken_ = false;
  bool woken_ = false;
  bool idling_ = false;
  std::uint64_t responses_ = 0;
  std::string end_reason_;
};

}  // namespace impulse::delivery::http1
