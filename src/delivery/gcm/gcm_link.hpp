// GcmLink: one connection to an FCM / GCM host (or the OAuth token
// endpoint), HTTP/2 when the server offers it by ALPN, else HTTP/1.1 with
// keep-alive (SPEC §13 "HTTP/2 (ALPN h2) is used when the server offers it,
// else HTTP/1.1 with keep-alive"). Over delivery/http2/ (nghttp2) and
// delivery/http1/ (Boost.Beast): connect() tries h2 first and, when the
// server's TLS handshake does not select h2, connects again offering
// http/1.1 (or at once when `http1_only` says an earlier attempt learnt
// that); a server answering the h2-only offer with the
// no_application_protocol alert (RFC 7301 §3.2), as nginx without HTTP/2
// does, counts as not offering h2. Requests are POSTs of a body with
// headers; on HTTP/2 many run at once (capacity = the server's concurrent
// streams), on HTTP/1.1 one.
//
// Leaves to others: what to send and what the answer means (gcm_session,
// token_endpoint). Deadlines: connect_timeout for opening, each request's
// timeout for its answer, idle() its own (the connections' own rules).
// Executor: the connect() executor (one event loop); not thread-safe.
// Failure modes: connect() returns the HTTP/2 client's error kinds (kConnect,
// kTls); post() returns kNotProcessed (send again on a new connection),
// kTimeout or another kind with a one-line detail. Never throws except
// std::bad_alloc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "base/expected.hpp"
#include "delivery/http1/http1_connection.hpp"
#include "delivery/http2/http2_connection.hpp"

namespace impulse::delivery::gcm {

struct LinkOptions {
  http2::Http2ConnectOptions h2;        // host, address, port, TLS (ALPN h2), timeouts
  http1::Http1TlsContextPtr h1_tls;     // ALPN http/1.1; null = no HTTP/1.1 fallback
  bool http1_only = false;              // the server is known not to offer h2
};

struct LinkRequest {
  std::string path;
  http2::HeaderList headers;  // lower-case names
  std::string body;
  std::chrono::milliseconds timeout{5000};
};

struct LinkReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // "" when absent
};

class GcmLink {
 public:
  using Ptr = std::shared_ptr<GcmLink>;

  // `options` must stay alive until the coroutine ends (a named object).
  static boost::asio::awaitable<impulse::expected<Ptr, http2::Http2Error>> connect(
      boost::asio::any_io_executor executor, const LinkOptions& options);

  // `request` must stay alive until the coroutine ends (a named object).
  boost::asio::awaitable<impulse::expected<LinkReply, http2::Http2Error>> post(const LinkRequest& request);

  bool usable() const;
  bool http1() const { return h1_ != nullptr; }
  std::size_t capacity() const;
  std::uint64_t bytes_sent() const;

  boost::asio::awaitable<http2::Http2IdleEnd> idle(std::chrono::milliseconds timeout);
  void wake();
  boost::asio::awaitable<void> close(std::chrono::milliseconds timeout);
  void drain();

  explicit GcmLink(http2::Http2Connection::Ptr h2) : h2_(std::move(h2)) {}
  explicit GcmLink(http1::Http1Connection::Ptr h1) : h1_(std::move(h1)) {}

 private:
  http2::Http2Connection::Ptr h2_;
  http1::Http1Connection::Ptr h1_;
  bool h1_busy_ = false;
};

}  // namespace impulse::delivery::gcm
