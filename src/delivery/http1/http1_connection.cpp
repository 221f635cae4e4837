// Implementation of delivery/http1/http1_connection.hpp.
#include "delivery/http1/http1_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>

#include "runtime/deadline.hpp"

namespace impulse::delivery::http1 {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

impulse::unexpected<Http1Error> failure(Http1ErrorKind kind, std::string detail) {
  return impulse::unexpected(Http1Error{kind, std::move(detail)});
}

std::string ms_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

bool closed_by_peer(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Http1Connection::Http1Connection(asio::any_io_executor executor, const Http1ConnectOptions& options)
    : executor_(executor), options_(options), plain_(executor), timer_(executor) {}

tcp::socket& Http1Connection::socket() { return tls_ ? tls_->next_layer() : plain_; }

void Http1Connection::give_up(std::string reason) {
  if (end_reason_.empty()) end_reason_ = std::move(reason);
  broken_ = true;
  boost::system::error_code ignored;
  socket().close(ignored);
}

void Http1Connection::close() {
  if (!open_) return;
  open_ = false;
  give_up("closed");
}

void Http1Connection::wake() {
  woken_ = true;
  if (idling_) timer_.cancel();  // the timer is the request's deadline otherwise
}

asio::awaitable<impulse::expected<Http1Connection::Ptr, Http1Error>> Http1Connection::connect(
    asio::any_io_executor executor, const Http1ConnectOptions& options) {
  auto conn = std::make_shared<Http1Connection>(executor, options);
  auto started = co_await conn->start();
  if (!started) co_return impulse::unexpected(std::move(started.error()));
  co_return conn;
}

asio::awaitable<impulse::expected<void, Http1Error>> Http1Connection::start() {
  const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) co_return failure(Http1ErrorKind::kConnect, "bad address " + options_.address);
  const tcp::endpoint peer(address, options_.port);
  plain_.open(peer.protocol(), ec);
  if (!ec && !options_.bind_address.empty()) {
    const auto source = asio::ip::make_address(options_.bind_address, ec);
    if (!ec) plain_.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) co_return failure(Http1ErrorKind::kConnect, "socket: " + ec.message());
  auto connected =
      co_await runtime::with_deadline(plain_.async_connect(peer, kAsTuple), timer_, deadline, runtime::cancel_of(plain_));
  if (connected.timed_out())
    co_return failure(Http1ErrorKind::kConnect, "connect timed out after " + ms_text(options_.connect_timeout));
  if (!connected.ok()) co_return failure(Http1ErrorKind::kConnect, "connect: " + connected.error.message());
  plain_.set_option(tcp::no_delay(true), ec);

  if (options_.tls) {
    tls_ = std::make_unique<TlsStream>(std::move(plain_), options_.tls->get());
    SSL* ssl = tls_->native_handle();
    asio::ip::make_address(options_.host, ec);
    if (ec) SSL_set_tlsext_host_name(ssl, options_.host.c_str());  // SNI for host names only (RFC 6066 §3)
    auto shaken = co_await runtime::with_deadline(tls_->async_handshake(asio::ssl::stream_base::client, kAsTuple),
                                                  timer_, deadline, runtime::cancel_of(tls_->next_layer()));
    if (shaken.timed_out())
      co_return failure(Http1ErrorKind::kTls, "TLS handshake timed out after " + ms_text(options_.connect_timeout));
    if (!shaken.ok()) co_return failure(Http1ErrorKind::kTls, "TLS handshake: " + shaken.error.message());
    if (std::string why = check_http1_tls(ssl, options_.verify, options_.host); !why.empty())
      co_return failure(Http1ErrorKind::kTls, std::move(why));
  }
  open_ = true;
  co_return impulse::expected<void, Http1Error>{};
}

asio::awaitable<impulse::expected<Http1Response, Http1Error>> Http1Connection::request(const Http1Request& request) {
  if (!usable()) co_return failure(Http1ErrorKind::kNotProcessed, end_reason_.empty() ? "not open" : end_reason_);
  if (tls_) co_return co_await exchange(*tls_, request);
  co_return co_await exchange(plain_, request);
}

template <class Stream>
asio::awaitable<impulse::expected<Http1Response, Http1Error>> Http1Connection::exchange(Stream& stream,
                                                                                       const Http1Request& request) {
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  std::string host = request.host;
  if (host.empty()) {
    host = options_.host;
    const std::uint16_t default_port = tls_ ? 443 : 80;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // an IPv6 literal
    if (options_.port != default_port) host += ":" + std::to_string(options_.port);
  }
  req.set(http::field::host, host);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  req.keep_alive(true);
  req.body() = request.body;
  req.prepare_payload();

  auto wrote = co_await runtime::with_deadline(http::async_write(stream, req, kAsTuple), timer_, deadline,
                                               runtime::cancel_of(socket()));
  if (wrote.timed_out()) {
    give_up("timeout");
    co_return failure(Http1ErrorKind::kTimeout, "no response within " + ms_text(request.timeout));
  }
  if (!wrote.ok()) {
    const std::string why = closed_by_peer(wrote.error) ? "connection closed by the server"
                                                        : "write: " + wrote.error.message();
    give_up(why);
    if (responses_ > 0) co_return failure(Http1ErrorKind::kNotProcessed, why);
    co_return failure(Http1ErrorKind::kConnectionLost, why);
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(options_.max_response_body);
  auto read = co_await runtime::with_deadline(http::async_read(stream, buffer_, parser, kAsTuple), timer_, deadline,
                                              runtime::cancel_of(socket()));
  if (read.timed_out()) {
    give_up("timeout");
    co_return failure(Http1ErrorKind::kTimeout, "no response within " + ms_text(request.timeout));
  }
  if (!read.ok()) {
    if (closed_by_peer(read.error)) {
      const bool nothing = read.bytes == 0 && !parser.got_some();
      give_up("connection closed by the server");
      if (nothing && responses_ > 0)
        co_return failure(Http1ErrorKind::kNotProcessed, "connection closed by the server before responding");
      co_return failure(Http1ErrorKind::kConnectionLost, "connection closed by the server");
    }
    if (read.error.category() == http::make_error_code(http::error::body_limit).category()) {
      give_up("bad response: " + read.error.message());
      co_return failure(Http1ErrorKind::kProtocol, "bad response: " + read.error.message());
    }
    give_up("read: " + read.error.message());
    co_return failure(Http1ErrorKind::kConnectionLost, "read: " + read.error.message());
  }
  auto& res = parser.get();
  Http1Response out;
  out.status = static_cast<int>(res.result_int());
  out.reason = std::string(res.reason());
  for (const auto& field : res) out.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  out.keep_alive = res.keep_alive();
  out.body = std::move(res.body());
  ++responses_;
  if (!out.keep_alive) give_up("the server closes the connection");
  co_return out;
}

asio::awaitable<Http1IdleEnd> Http1Connection::idle(std::chrono::milliseconds timeout) {
  if (!usable()) co_return Http1IdleEnd::kClosed;
  if (woken_) {
    woken_ = false;
    co_return Http1IdleEnd::kWoken;
  }
  if (tls_) co_return co_await watch(*tls_, timeout);
  co_return co_await watch(plain_, timeout);
}

template <class Stream>
asio::awaitable<Http1IdleEnd> Http1Connection::watch(Stream& stream, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  idling_ = true;
  auto read = co_await runtime::with_deadline(stream.async_read_some(buffer_.prepare(512), kAsTuple), timer_, deadline,
                                              runtime::cancel_of(socket()));
  idling_ = false;
  if (read.interrupted() || woken_) {
    woken_ = false;
    if (read.completed() && read.bytes > 0) {  // the server spoke out of turn
      give_up("unexpected data from the server");
      co_return Http1IdleEnd::kClosed;
    }
    co_return Http1IdleEnd::kWoken;
  }
  if (read.timed_out()) co_return Http1IdleEnd::kTimedOut;
  if (read.ok() && read.bytes > 0) {
    give_up("unexpected data from the server");
  } else {
    give_up(read.ok() || closed_by_peer(read.error) ? "connection closed by the server"
                                                    : "read: " + read.error.message());
  }
  co_return Http1IdleEnd::kClosed;
}

}  // namespace impulse::delivery::http1
