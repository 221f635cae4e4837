// Routes and the JSON reply helpers (see http_route.hpp).
#include "inbound/http/http_route.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace impulse::inbound::http {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  // path starts with '/'; "/a/b/" gives {"a", "b", ""}.
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const std::size_t next = path.find('/', pos);
    const std::size_t end = next == std::string_view::npos ? path.size() : next;
    out.push_back(path.substr(pos, end - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1 percent-decoding of one path segment; nullopt for a bad escape.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// The params when `pattern` matches `path`, nullopt otherwise.
std::optional<std::vector<std::string>> match(std::string_view pattern, std::string_view path) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return std::nullopt;
  std::vector<std::string> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (is_param(want[i])) {
      if (have[i].empty()) return std::nullopt;
      auto decoded = percent_decode(have[i]);
      if (!decoded) return std::nullopt;
      params.push_back(std::move(*decoded));
    } else if (want[i] != have[i]) {
      return std::nullopt;
    }
  }
  return params;
}

}  // namespace

std::string_view target_path(std::string_view target) noexcept {
  const std::size_t q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

void Routes::add(beast_http::verb verb, std::string pattern, Access access, Handler handler) {
  if (pattern.empty() || pattern.front() != '/' || pattern.find_first_of("?#") != std::string::npos) {
    throw std::logic_error("http route pattern must be an absolute path: " + pattern);
  }
  if (!handler) throw std::logic_error("http route without a handler: " + pattern);
  for (const auto& route : routes_) {
    if (route.verb == verb && route.pattern == pattern) {
      throw std::logic_error("http route registered twice: " + std::string(beast_http::to_string(verb)) +
                             " " + pattern);
    }
  }
  routes_.push_back(Route{verb, std::move(pattern), access, std::move(handler)});
}

std::variant<RouteMatch, RouteMiss> Routes::lookup(beast_http::verb verb, std::string_view target) const {
  const std::string_view path = target_path(target);
  if (path.empty() || path.front() != '/') return RouteMiss{};
  std::vector<beast_http::verb> allowed;
  for (const auto& route : routes_) {
    auto params = match(route.pattern, path);
    if (!params) continue;
    if (route.verb == verb) return RouteMatch{&route, std::move(*params)};
    if (std::find(allowed.begin(), allowed.end(), route.verb) == allowed.end()) allowed.push_back(route.verb);
  }
  if (allowed.empty()) return RouteMiss{};
  std::string allow;
  for (const auto v : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += beast_http::to_string(v);
  }
  return RouteMiss{beast_http::status::method_not_allowed, std::move(allow)};
}

Response json_response(beast_http::status status, const boost::json::value& body, const Request& req) {
  Response res{status, req.version()};
  res.set(beast_http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = boost::json::serialize(body);
  res.body() += '\n';
  res.prepare_payload();
  return res;
}

Response json_error(beast_http::status status, std::string_view text, const Request& req) {
  boost::json::value body = {{"error", boost::json::string_view(text.data(), text.size())}};
  return json_response(status, body, req);
}

}  // namespace impulse::inbound::http
