// Implementation of delivery/gcm/token_endpoint.hpp.
#include "delivery/gcm/token_endpoint.hpp"

#include "config/net.hpp"
#include "delivery/gcm/gcm_link.hpp"
#include "dns/host_lookup.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;
using asio::awaitable;

awaitable<impulse::expected<PostAnswer, std::string>> post_token_form(TokenEndpoint endpoint, std::string form) {
  if (endpoint.uri.scheme != "https")
    co_return impulse::unexpected("token_uri " + endpoint.uri.host + " is not https");
  const std::string host = endpoint.uri.host;  // named: it lives in this frame while lookup_host() runs
  dns::Resolver* resolver = endpoint.resolver ? endpoint.resolver->resolver.load() : nullptr;
  std::string address;
  if (auto ip = config::parse_ip(host)) {
    address = ip->str();
  } else if (resolver) {
    auto found = co_await dns::lookup_host(*resolver, host, endpoint.address_policy, endpoint.connect_timeout);
    if (!found) co_return impulse::unexpected(found.error());
    address = found->front().str();
  } else {
    co_return impulse::unexpected("no DNS resolver for the token_uri host " + host);
  }
  LinkOptions options;  // named: it lives in this frame while connect() runs
  options.h2.host = endpoint.uri.host;
  options.h2.address = address;
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
