// Implementation of delivery/gcm/gcm_link.hpp.
#include "delivery/gcm/gcm_link.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

http2::Http2ErrorKind h2_kind(http1::Http1ErrorKind kind) {
  switch (kind) {
    case http1::Http1ErrorKind::kConnect: return http2::Http2ErrorKind::kConnect;
    case http1::Http1ErrorKind::kTls: return http2::Http2ErrorKind::kTls;
    case http1::Http1ErrorKind::kTimeout: return http2::Http2ErrorKind::kTimeout;
    case http1::Http1ErrorKind::kNotProcessed: return http2::Http2ErrorKind::kNotProcessed;
    case http1::Http1ErrorKind::kConnectionLost: return http2::Http2ErrorKind::kConnectionLost;
    case http1::Http1ErrorKind::kProtocol: return http2::Http2ErrorKind::kProtocol;
  }
  return http2::Http2ErrorKind::kConnectionLost;
}

// The server does not speak h2: it finished the handshake without selecting
// it (http2_tls.cpp says "ALPN"), or refused the handshake with RFC 7301
// §3.2's no_application_protocol alert (120), as nginx does for a client
// offering only h2 to a server without HTTP/2.
bool alpn_refused(const http2::Http2Error& error) {
  return error.kind == http2::Http2ErrorKind::kTls && (error.detail.find("ALPN") != std::string::npos ||
                                                       error.detail.find("no application protocol") != std::string::npos);
}

}  // namespace

awaitable<impulse::expected<GcmLink::Ptr, http2::Http2Error>> GcmLink::connect(asio::any_io_executor executor,
                                                                             const LinkOptions& options) {
  if (!options.http1_only || !options.h1_tls) {
    auto h2 = co_await http2::Http2Connection::connect(executor, options.h2);
    if (h2) co_return std::make_shared<GcmLink>(std::move(*h2));
    if (!options.h1_tls || !alpn_refused(h2.error())) co_return impulse::unexpected(h2.error());
  }
  http1::Http1ConnectOptions o;  // named: it lives in this frame while connect() runs
  o.host = options.h2.host;
  o.address = options.h2.address;
  o.port = options.h2.port;
  o.bind_address = options.h2.bind_address;
  o.tls = options.h1_tls;
  o.verify = options.h2.verify;
  o.connect_timeout = options.h2.connect_timeout;
  auto h1 = co_await http1::Http1Connection::connect(executor, o);
  if (!h1) co_return impulse::unexpected(http2::Http2Error{h2_kind(h1.error().kind), h1.error().detail});
  co_return std::make_shared<GcmLink>(std::move(*h1));
}

awaitable<impulse::expected<LinkReply, http2::Http2Error>> GcmLink::post(const LinkRequest& request) {
  if (h2_) {
    http2::Http2Request r;  // named: it lives in this frame while request() runs
    r.method = "POST";
    r.path = request.path;
    r.headers = request.headers;
    r.body = request.body;
    r.timeout = request.timeout;
    auto response = co_await h2_->request(r);
    if (!response) co_return impulse::unexpected(response.error());
    co_return LinkReply{response->status, std::move(response->body), std::string(response->header("retry-after"))};
  }
  if (h1_busy_ || !h1_->usable())
    co_return impulse::unexpected(http2::Http2Error{http2::Http2ErrorKind::kNotProcessed,
                                                    h1_busy_ ? "HTTP/1.1 connection busy" : h1_->end_reason()});
  http1::Http1Request r;  // named: it lives in this frame while request() runs
  r.method = "POST";
  r.target = request.path;
  r.headers = request.headers;
  r.body = request.body;
  r.timeout = request.timeout;
  h1_busy_ = true;
  auto response = co_await h1_->request(r);
  h1_busy_ = false;
  if (!response) co_return impulse::unexpected(http2::Http2Error{h2_kind(response.error().kind), response.error().detail});
  co_return LinkReply{response->status, std::move(response->body), std::string(response->header("retry-after"))};
}

bool GcmLink::usable() const { return h2_ ? h2_->usable() : h1_->usable(); }

std::size_t GcmLink::capacity() const { return h2_ ? std::max<std::size_t>(h2_->max_concurrent_streams(), 1) : 1; }

std::uint64_t GcmLink::bytes_sent() const {
  return h2_ ? std::max<std::uint64_t>(h2_->bytes_sent(), 1) : std::max<std::uint64_t>(h1_->responses(), 1);
}

awaitable<http2::Http2IdleEnd> GcmLink::idle(std::chrono::milliseconds timeout) {
  if (h2_) co_return co_await h2_->idle(timeout);
  const http1::Http1IdleEnd end = co_await h1_->idle(timeout);
  co_return end == http1::Http1IdleEnd::kWoken     ? http2::Http2IdleEnd::kWoken
            : end == http1::Http1IdleEnd::kTimedOut ? http2::Http2IdleEnd::kTimedOut
                                                     : http2::Http2IdleEnd::kClosed;
}

void GcmLink::wake() {
  if (h2_) h2_->wake();
  else h1_->wake();
}

awaitable<void> GcmLink::close(std::chrono::milliseconds timeout) {
  if (h2_) co_await h2_->close(timeout);
  else h1_->close();
}

void GcmLink::drain() {
  if (h2_) h2_->drain();
  // HTTP/1.1: one request at a time; it ends with the session that replaced it.
}

}  // namespace impulse::delivery::gcm
