// Implementation of log/webhook_client.hpp.
#include "log/webhook_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "runtime/deadline.hpp"

namespace impulse::log {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string describe(const runtime::DeadlineResult& r, std::string_view what, std::chrono::seconds timeout) {
  if (r.timed_out()) return fmt::format("{}: no reply within {} s", what, timeout.count());
  if (r.interrupted()) return fmt::format("{}: interrupted", what);
  return fmt::format("{}: {}", what, r.error.message());
}

// async_resolve as an operation yielding (error_code), its results stored.
asio::awaitable<std::tuple<boost::system::error_code>> resolve_into(tcp::resolver& resolver, std::string host,
                                                                    std::string port,
                                                                    tcp::resolver::results_type& out) {
  auto [ec, results] = co_await resolver.async_resolve(host, port, kTuple);
  out = std::move(results);
  co_return std::tuple<boost::system::error_code>{ec};
}

// Write the request and read the reply on an open stream.
template <class Stream, class Socket>
asio::awaitable<Result<unsigned>> exchange(Stream& stream, Socket& socket, asio::steady_timer& timer,
                                           std::chrono::steady_clock::time_point deadline,
                                           http::request<http::string_body>& req, std::chrono::seconds timeout) {
  auto wrote = co_await runtime::with_deadline(http::async_write(stream, req, kTuple), timer, deadline,
                                               runtime::cancel_of(socket));
  if (!wrote.ok()) co_return fail(describe(wrote, "sending", timeout));
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  auto read = co_await runtime::with_deadline(http::async_read(stream, buffer, res, kTuple), timer, deadline,
                                              runtime::cancel_of(socket));
  if (!read.ok()) co_return fail(describe(read, "reading the reply", timeout));
  co_return res.result_int();
}

}  // namespace

WebhookClient::WebhookClient(const asio::any_io_executor& executor, WebhookUrl url, std::string auth_token,
                             std::chrono::seconds timeout, std::shared_ptr<asio::ssl::context> tls)
    : executor_(executor),
      url_(std::move(url)),
      auth_token_(std::move(auth_token)),
      timeout_(timeout),
      tls_(std::move(tls)),
      timer_(executor) {}

void WebhookClient::cancel() { timer_.cancel(); }

Result<std::shared_ptr<asio::ssl::context>> WebhookClient::make_tls_context(const std::string& ca_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return fail("cannot load the system's trust store: " + ec.message());
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) return fail("cannot load " + ca_file + ": " + ec.message());
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

asio::awaitable<Result<unsigned>> WebhookClient::post(std::string body) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  tcp::resolver resolver(executor_);
  tcp::resolver::results_type endpoints;
  auto resolved = co_await runtime::with_deadline(resolve_into(resolver, url_.host, url_.port, endpoints), timer_,
                                                  deadline, [&resolver] { resolver.cancel(); });
  if (!resolved.ok()) co_return fail(describe(resolved, "resolving " + url_.host, timeout_));

  tcp::socket socket(executor_);
  runtime::DeadlineResult connected;
  connected.error = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    boost::system::error_code ignored;
    socket.close(ignored);
    connected = co_await runtime::with_deadline(socket.async_connect(entry.endpoint(), kTuple), timer_, deadline,
                                                runtime::cancel_of(socket));
    if (connected.ok() || !connected.completed()) break;
  }
  if (!connected.ok()) co_return fail(describe(connected, "connecting to " + url_.host_header, timeout_));

  http::request<http::string_body> req{http::verb::post, url_.target, 11};
  req.set(http::field::host, url_.host_header);
  req.set(http::field::user_agent, "Impulse");
  req.set(http::field::content_type, "application/json");
  if (!auth_token_.empty()) req.set(http::field::authorization, "Bearer " + auth_token_);
  req.keep_alive(false);
  req.body() = std::move(body);
  req.prepare_payload();

  if (!url_.tls) co_return co_await exchange(socket, socket, timer_, deadline, req, timeout_);

  if (!tls_) co_return fail("https without a TLS context");
  asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str()))
    co_return fail("cannot set the TLS server name " + url_.host);
  stream.set_verify_callback(asio::ssl::host_name_verification(url_.host));
  auto shaken = co_await runtime::with_deadline(stream.async_handshake(asio::ssl::stream_base::client, kTuple),
                                                timer_, deadline, runtime::cancel_of(stream.lowest_layer()));
  if (!shaken.ok()) co_return fail(describe(shaken, "TLS handshake with " + url_.host_header, timeout_));
  co_return co_await exchange(stream, stream.lowest_layer(), timer_, deadline, req, timeout_);
}

}  // namespace impulse::log
