// Implementation of inbound/http/http_session.hpp.
#include "inbound/http/http_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <array>
#include <chrono>

#include "base/strings.hpp"
#include "inbound/http/http_dispatch.hpp"
#include "runtime/deadline.hpp"

namespace impulse::inbound::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr auto kErrorWriteTime = std::chrono::seconds(5);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;

// A reply the session makes itself, for a request it could not parse or
// read whole: HTTP/1.1, closes the connection.
Response session_error(beast_http::status status, std::string_view text) {
  Request req{beast_http::verb::get, "/", 11};
  req.keep_alive(false);
  return json_error(status, text, req);
}

bool client_went_away(const boost::system::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, const HttpListenerSettings& settings,
                         std::shared_ptr<asio::ssl::context> tls, const Routes& routes, HttpPeer peer,
                         runtime::ProblemSink problems, std::shared_ptr<const void> keep_alive)
    : keep_alive_(std::move(keep_alive)),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      settings_(settings),
      tls_(std::move(tls)),
      routes_(routes),
      peer_(std::move(peer)),
      problems_(std::move(problems)) {}

void HttpSession::problem(const std::string& text) const {
  runtime::report(problems_, peer_.connection_id + " " + peer_.ip + ":" + std::to_string(peer_.port) + ": " + text);
}

void HttpSession::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void HttpSession::shutdown() {
  stopping_ = true;
  if (!busy_) timer_.cancel();
}

asio::awaitable<void> HttpSession::run() {
  auto self = shared_from_this();
  if (!tls_) {
    co_await serve(socket_);
  } else {
    asio::ssl::stream<tcp::socket&> stream(socket_, *tls_);
    auto r = co_await runtime::with_deadline(
        stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable)), timer_,
        std::chrono::steady_clock::now() + settings_.header_timeout, runtime::cancel_of(socket_));
    if (r.ok()) {
      co_await serve(stream);
    } else if (r.timed_out()) {
      problem("TLS handshake not completed within http_header_timeout (" +
              std::to_string(settings_.header_timeout.count()) + " s)");
    } else if (r.completed() && !client_went_away(r.error)) {
      problem("TLS handshake failed: " + r.error.message());
    }
  }
  close();
}

template <class Stream>
asio::awaitable<bool> HttpSession::write(Stream& stream, Response res) {
  if (stopping_) res.keep_alive(false);
  const auto deadline =
      std::chrono::steady_clock::now() + (res.keep_alive() ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(settings_.body_timeout)
                                                            : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kErrorWriteTime));
  auto r = co_await runtime::with_deadline(beast_http::async_write(stream, res, asio::as_tuple(asio::use_awaitable)),
                                           timer_, deadline, runtime::cancel_of(socket_));
  if (r.ok() && !res.keep_alive() && !stopping_) co_await linger();
  co_return r.ok() && res.keep_alive();
}

// Closing with unread request bytes in the socket makes the kernel send a
// reset, which can destroy the reply before the client reads it (a 413 to a
// client still sending). Half-close, then read and drop what still comes,
// for at most kLingerTime / kLingerBytes (RFC 9112 §9.6).
asio::awaitable<void> HttpSession::linger() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  std::array<char, 4096> sink;
  std::size_t dropped = 0;
  while (dropped < kLingerBytes) {
    auto r = co_await runtime::with_deadline(
        socket_.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable)), timer_, deadline,
        runtime::cancel_of(socket_));
    if (!r.ok()) co_return;
    dropped += r.bytes;
  }
}

template <class Stream>
asio::awaitable<void> HttpSession::serve(Stream& stream) {
  boost::beast::flat_buffer buffer;
  const std::string header_option = "http_header_timeout (" + std::to_string(settings_.header_timeout.count()) + " s)";
  const std::string body_option = "http_body_timeout (" + std::to_string(settings_.body_timeout.count()) + " s)";
  while (!stopping_) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(settings_.max_request_size);

    busy_ = false;
    auto head = co_await runtime::with_deadline(
        beast_http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable)), timer_,
        std::chrono::steady_clock::now() + settings_.header_timeout, runtime::cancel_of(socket_));
    if (head.interrupted()) co_return;  // shutdown while idle
    if (head.timed_out()) {
      if (!parser.got_some() && buffer.size() == 0) co_return;  // idle keep-alive connection
      problem("request head not received within " + header_option + ": closed");
      co_await write(stream, session_error(beast_http::status::request_timeout,
                                           "request head not received within " + header_option));
      co_return;
    }
    if (head.error) {
      if (client_went_away(head.error)) co_return;
      if (head.error == beast_http::error::body_limit) {  // Content-Length over the limit, seen with the head
        co_await write(stream, session_error(beast_http::status::payload_too_large,
                                             "request body over Max_Request_Size (" +
                                                 std::to_string(settings_.max_request_size) + " bytes)"));
      } else if (head.error == beast_http::error::header_limit) {
        co_await write(stream, session_error(beast_http::status::request_header_fields_too_large,
                                             "request head over " + std::to_string(kHeaderLimit) + " bytes"));
      } else {
        co_await write(stream,
                       session_error(beast_http::status::bad_request, "malformed request: " + head.error.message()));
      }
      co_return;
    }
    busy_ = true;

    if (!parser.is_done()) {
      if (iequals(std::string_view(parser.get()[beast_http::field::expect]), "100-continue")) {
        beast_http::response<beast_http::empty_body> go_on{beast_http::status::continue_, 11};
        auto w = co_await runtime::with_deadline(
            beast_http::async_write(stream, go_on, asio::as_tuple(asio::use_awaitable)), timer_,
            std::chrono::steady_clock::now() + settings_.body_timeout, runtime::cancel_of(socket_));
        if (!w.ok()) co_return;
      }
      auto body = co_await runtime::with_deadline(
          beast_http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable)), timer_,
          std::chrono::steady_clock::now() + settings_.body_timeout, runtime::cancel_of(socket_));
      if (body.interrupted()) co_return;
      if (body.timed_out()) {
        problem("request body not received within " + body_option + ": closed");
        co_await write(stream, session_error(beast_http::status::request_timeout,
                                             "request body not received within " + body_option));
        co_return;
      }
      if (body.error) {
        if (client_went_away(body.error)) co_return;
        if (body.error == beast_http::error::body_limit) {
          co_await write(stream, session_error(beast_http::status::payload_too_large,
                                               "request body over Max_Request_Size (" +
                                                   std::to_string(settings_.max_request_size) + " bytes)"));
        } else {
          co_await write(stream,
                         session_error(beast_http::status::bad_request, "malformed request: " + body.error.message()));
        }
        co_return;
      }
    }

    Request req = parser.release();
    const auto started = std::chrono::steady_clock::now();
    RequestContext ctx;
    ctx.peer = peer_.address;
    ctx.peer_port = peer_.port;
    ctx.tls = tls_ != nullptr;
    ctx.connection_id = peer_.connection_id;
    ctx.listener_address = settings_.display_address();
    Response res = co_await dispatch(routes_, settings_, req, std::move(ctx), peer_.ip_for_acl, problems_);
    const auto status = res.result_int();
    const auto bytes = res.body().size();
    if (status >= 500 && target_path(std::string_view(req.target().data(), req.target().size())) != "/readyz") {
      std::string text = res.body().substr(0, 200);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      problem(std::string(req.method_string()) + " " + std::string(req.target()) + ": " + std::to_string(status) + " " +
              text);
    }
    if (settings_.log_requests) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      runtime::report(problems_, peer_.ip + " \"" + std::string(req.method_string()) + " " + std::string(req.target()) +
                                     " HTTP/" + std::to_string(req.version() / 10) + "." +
                                     std::to_string(req.version() % 10) + "\" " + std::to_string(status) + " " +
                                     std::to_string(bytes) + " " + std::to_string(ms.count()));
    }
    if (!co_await write(stream, std::move(res))) co_return;
  }
}

}  // namespace impulse::inbound::http
