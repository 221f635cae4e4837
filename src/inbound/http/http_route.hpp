// The HTTP route seam (SPEC §16): what an HTTP_Listener serves, as a table of
// (verb, path pattern, access) -> handler, built once at start-up by the
// daemon's wiring (each area adds its own set: add_admin_routes,
// add_metrics_routes, add_webhook_routes, add_injection_routes, ...) and read
// only while serving, from every event loop at once.
//
// Patterns are absolute paths whose segments are literal or "{name}"; a
// "{name}" segment matches one non-empty segment, handed to the handler
// percent-decoded in RequestContext::params, in order. A trailing slash is
// significant ("/v1.0/inject/" is Momentum's spelling). The query string is
// not part of the match.
//
// Leaves to others: access checks (Relay_Hosts, API_Keys) and limits, which
// the listener's session applies from Route::access before calling the
// handler; the handlers' own meaning.
// Failures: lookup() answers 404 for an unknown path and 405 (with the allowed
// verbs for an Allow header) for a known path and another verb; add() of a
// malformed pattern or a duplicate (verb, pattern) is a bug and throws
// std::logic_error at start-up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace impulse::inbound::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

enum class Access {
  kPublic,          // no key: /healthz, /readyz
  kApiKey,          // Relay_Hosts and, when set, API_Keys
  kRelayHostsOnly,  // Relay_Hosts only, e.g. MM7_VASP_Path
};

struct RequestContext {
  boost::asio::ip::address peer;
  std::uint16_t peer_port = 0;
  bool tls = false;
  std::string connection_id;
  std::vector<std::string> params;  // "{name}" segments of the pattern, percent-decoded, in order
  std::string listener_address;     // "127.0.0.1:8081" (queue::Origin::listener_address)
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, const RequestContext&)>;

// One registered route, as lookup() finds it.
struct Route {
  beast_http::verb verb = beast_http::verb::unknown;
  std::string pattern;
  Access access = Access::kApiKey;
  Handler handler;
};

// lookup()'s answer when a route matched.
struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::string> params;
};

// lookup()'s answer when none did: 404 (allow empty) or 405 (allow lists the
// verbs the path accepts, e.g. "GET, POST").
struct RouteMiss {
  beast_http::status status = beast_http::status::not_found;
  std::string allow;
};

class Routes {  // built once at start-up, read-only while serving
 public:
  void add(beast_http::verb verb, std::string pattern /* e.g. "/api/v1/domains/{name}/flush" */,
           Access access, Handler handler);

  // `target` is the request target; its query string is ignored. A segment
  // that does not percent-decode (a bad escape) matches no "{name}".
  [[nodiscard]] std::variant<RouteMatch, RouteMiss> lookup(beast_http::verb verb,
                                                           std::string_view target) const;

  [[nodiscard]] bool empty() const noexcept { return routes_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return routes_.size(); }

 private:
  std::vector<Route> routes_;
};

// A JSON reply: content-type application/json, keep-alive and version from req.
Response json_response(beast_http::status status, const boost::json::value& body, const Request& req);
// {"error": text}
Response json_error(beast_http::status status, std::string_view text, const Request& req);

// The path of a request target without its query string.
std::string_view target_path(std::string_view target) noexcept;

}  // namespace impulse::inbound::http
