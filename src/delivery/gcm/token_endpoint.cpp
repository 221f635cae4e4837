// Implementation of delivery/gcm/token_endpoint.hpp.
#include "delivery/gcm/token_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "config/net.hpp"
#include "delivery/http2/http2_connection.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// A/AAAA of the token_uri host (an IP literal as it is), within `timeout`.
awaitable<impulse::expected<std::string, std::string>> resolve(asio::any_io_executor executor, std::string host,
                                                               std::chrono::milliseconds timeout) {
  if (auto ip = config::parse_ip(host)) co_return ip->str();
  asio::ip::tcp::resolver resolver(executor);
  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  bool timed_out = false;
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) {
      timed_out = true;
      resolver.cancel();
    }
  });
  auto op = resolver.async_resolve(host, "443", asio::as_tuple(asio::use_awaitable));
  auto [ec, results] = co_await std::move(op);
  timer.cancel();
  if (timed_out) co_return impulse::unexpected("resolving " + host + " timed out");
  if (ec || results.empty()) co_return impulse::unexpected("cannot resolve " + host + ": " + ec.message());
  co_return results.begin()->endpoint().address().to_string();
}

}  // namespace

awaitable<impulse::expected<PostAnswer, std::string>> post_token_form(TokenEndpoint endpoint, std::string form) {
  if (endpoint.uri.scheme != "https")
    co_return impulse::unexpected("token_uri " + endpoint.uri.host + " is not https");
  auto address = co_await resolve(endpoint.executor, endpoint.uri.host, endpoint.connect_timeout);
  if (!address) co_return impulse::unexpected(address.error());
  http2::Http2ConnectOptions options;
  options.host = endpoint.uri.host;
  options.address = *address;
  options.port = endpoint.uri.port;
  options.bind_address = endpoint.bind_address;
  options.tls = endpoint.tls;
  options.verify = endpoint.verify;
  options.connect_timeout = endpoint.connect_timeout;
  options.write_timeout = std::max<std::chrono::milliseconds>(endpoint.response_timeout, std::chrono::seconds(1));
  options.problems = endpoint.problems;
  auto connection = co_await http2::Http2Connection::connect(endpoint.executor, options);
  if (!connection)
    co_return impulse::unexpected(endpoint.uri.host + ":" + std::to_string(endpoint.uri.port) + ": " +
                                  std::string(http2::error_kind_name(connection.error().kind)) + ": " +
                                  connection.error().detail);
  http2::Http2Request request;  // named: it lives in this frame while request() runs
  request.method = "POST";
  request.path = endpoint.uri.path;
  request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("accept", "application/json");
  request.body = std::move(form);
  request.timeout = endpoint.response_timeout;
  auto response = co_await (*connection)->request(request);
  co_await (*connection)->close(std::chrono::seconds(1));
  if (!response)
    co_return impulse::unexpected(std::string(http2::error_kind_name(response.error().kind)) + ": " +
                                  response.error().detail);
  co_return PostAnswer{response->status, std::move(response->body)};
}

Poster token_poster(TokenEndpoint endpoint) {
  return [endpoint = std::move(endpoint)](std::string form) { return post_token_form(endpoint, std::move(form)); };
}

}  // namespace impulse::delivery::gcm
