// Implementation of delivery/gcm/token_endpoint.hpp.
#include "delivery/gcm/token_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "config/net.hpp"
#include "delivery/gcm/gcm_link.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// A/AAAA of the token_uri host (an IP literal as it is), within `timeout`.
awaitable<impulse::expected<std::string, std::string>> resolve(asio::any_io_executor executor, std::string host,
                                                               std::chrono::milliseconds timeout) {
  if (auto ip = config::parse_ip(host)) co_return ip->str();
  // Shared with the timer's handler, which may run after this frame is gone.
  struct Lookup {
    explicit Lookup(asio::any_io_executor e) : resolver(e) {}
    asio::ip::tcp::resolver resolver;
    bool timed_out = false;
  };
  auto lookup = std::make_shared<Lookup>(executor);
  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  timer.async_wait([lookup](boost::system::error_code ec) {
    if (!ec) {
      lookup->timed_out = true;
      lookup->resolver.cancel();
    }
  });
  auto op = lookup->resolver.async_resolve(host, "443", asio::as_tuple(asio::use_awaitable));
  auto [ec, results] = co_await std::move(op);
  timer.cancel();
  if (lookup->timed_out) co_return impulse::unexpected("resolving " + host + " timed out");
  if (ec || results.empty()) co_return impulse::unexpected("cannot resolve " + host + ": " + ec.message());
  co_return results.begin()->endpoint().address().to_string();
}

}  // namespace

awaitable<impulse::expected<PostAnswer, std::string>> post_token_form(TokenEndpoint endpoint, std::string form) {
  if (endpoint.uri.scheme != "https")
    co_return impulse::unexpected("token_uri " + endpoint.uri.host + " is not https");
  auto address = co_await resolve(endpoint.executor, endpoint.uri.host, endpoint.connect_timeout);
  if (!address) co_return impulse::unexpected(address.error());
  LinkOptions options;  // named: it lives in this frame while connect() runs
  options.h2.host = endpoint.uri.host;
  options.h2.address = *address;
  options.h2.port = endpoint.uri.port;
  options.h2.bind_address = endpoint.bind_address;
  options.h2.tls = endpoint.tls;
  options.h2.verify = endpoint.verify;
  options.h2.connect_timeout = endpoint.connect_timeout;
  options.h2.write_timeout = std::max<std::chrono::milliseconds>(endpoint.response_timeout, std::chrono::seconds(1));
  options.h2.problems = endpoint.problems;
  options.h1_tls = endpoint.h1_tls;
  auto connection = co_await GcmLink::connect(endpoint.executor, options);
  if (!connection)
    co_return impulse::unexpected(endpoint.uri.host + ":" + std::to_string(endpoint.uri.port) + ": " +
                                  std::string(http2::error_kind_name(connection.error().kind)) + ": " +
                                  connection.error().detail);
  LinkRequest request;  // named: it lives in this frame while post() runs
  request.path = endpoint.uri.path;
  request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("accept", "application/json");
  request.body = std::move(form);
  request.timeout = endpoint.response_timeout;
  auto response = co_await (*connection)->post(request);
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
