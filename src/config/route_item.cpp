// Implementation of config/route_item.hpp: one `Routes` item, parsed without
// any DNS. Every error names the part that is wrong and what was expected.
#include "config/route_item.hpp"

#include <array>

#include "base/strings.hpp"

namespace impulse::config {

namespace {

constexpr std::array<std::string_view, 8> kSchemes = {"smtp", "lmtp", "apn", "gcm", "mm7", "mm7s", "http", "https"};

bool scheme_known(std::string_view s) {
  for (auto k : kSchemes)
    if (k == s) return true;
  return false;
}

// smtp and lmtp talk to a mail server: a path means nothing there.
bool scheme_has_path(std::string_view s) { return s != "smtp" && s != "lmtp"; }

std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

std::string bad_param(std::string_view key, std::string_view value, std::string_view expected) {
  return "bad route parameter '" + std::string(key) + "=" + std::string(value) + "': " + std::string(expected);
}

impulse::expected<void, std::string> apply_query(std::string_view query, RouteItem& item) {
  bool seen_pref = false, seen_ttl = false, seen_port = false, seen_type = false;
  for (auto part : split(query, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    auto once = [&](bool& seen) -> impulse::expected<void, std::string> {
      if (seen) return impulse::unexpected("route parameter '" + to_lower(key) + "' given twice");
      seen = true;
      return {};
    };
    if (iequals(key, "pref")) {
      if (auto r = once(seen_pref); !r) return r;
      auto v = parse_decimal(value, 65535);
      if (!v) return impulse::unexpected(bad_param(key, value, "expected an integer between 0 and 65535"));
      item.pref = static_cast<std::uint32_t>(*v);
    } else if (iequals(key, "ttl")) {
      if (auto r = once(seen_ttl); !r) return r;
      auto v = parse_decimal(value, 4294967295u);
      if (!v) return impulse::unexpected(bad_param(key, value, "expected an integer between 0 and 4294967295"));
      item.ttl = static_cast<std::uint32_t>(*v);
    } else if (iequals(key, "port")) {
      if (auto r = once(seen_port); !r) return r;
      auto v = parse_decimal(value, 65535);
      if (!v || *v == 0)
        return impulse::unexpected(bad_param(key, value, "expected an integer between 1 and 65535"));
      item.port = static_cast<std::uint16_t>(*v);
    } else if (iequals(key, "type")) {
      if (auto r = once(seen_type); !r) return r;
      if (iequals(value, "mx"))
        item.lookup = RouteItem::Lookup::Mx;
      else if (iequals(value, "a"))
        item.lookup = RouteItem::Lookup::A;
      else
        return impulse::unexpected(bad_param(key, value, "expected one of: mx, a"));
    } else {
      return impulse::unexpected("unknown route parameter '" + std::string(key) +
                                 "'; expected one of: pref, ttl, port, type");
    }
  }
  return {};
}

bool query_has(std::string_view query, std::string_view key) {
  for (auto part : split(query, '&')) {
    if (iequals(part.substr(0, part.find('=')), key)) return true;
  }
  return false;
}

// "lmtp://unix:/run/dovecot/lmtp?pref=10": everything between "unix:" and
// the query is the socket path. Only mail servers listen on one here, and
// port= and type= mean nothing for a socket.
impulse::expected<RouteItem, std::string> unix_url(RouteItem& item, std::string_view rest, std::string_view query) {
  if (scheme_has_path(item.scheme))
    return impulse::unexpected("a Unix socket route needs the smtp or lmtp scheme, not '" + item.scheme + "'");
  auto ep = parse_endpoint(rest, true);
  if (!ep) return impulse::unexpected(ep.error());
  item.target = std::move(*ep);
  if (auto r = apply_query(query, item); !r) return impulse::unexpected(r.error());
  if (item.port) return impulse::unexpected(std::string("a Unix socket route takes no port= parameter"));
  if (query_has(query, "type")) return impulse::unexpected(std::string("a Unix socket route takes no type= parameter"));
  return std::move(item);
}

}  // namespace

impulse::expected<RouteItem, std::string> parse_route_item(std::string_view text) {
  text = trim(text);
  if (text.empty()) return impulse::unexpected(std::string("empty route item"));
  RouteItem item;
  if (iequals(text, "__mx__")) {
    item.kind = RouteItem::Kind::Mx;
    return item;
  }
  auto sep = text.find("://");
  if (sep == std::string_view::npos && istarts_with(text, "unix:")) {
    // "unix:/run/dovecot/lmtp": a local stream socket, used as it is.
    auto ep = parse_endpoint(text, true);
    if (!ep) return impulse::unexpected(ep.error());
    item.kind = RouteItem::Kind::Host;
    item.target = std::move(*ep);
    return item;
  }
  if (sep == std::string_view::npos) {
    if (text.find('?') != std::string_view::npos)
      return impulse::unexpected(std::string("route parameters need the URL form, e.g. \"smtp://HOST?pref=10\""));
    auto ep = parse_endpoint(text, false);
    if (!ep) return impulse::unexpected(ep.error());
    item.kind = RouteItem::Kind::Host;
    item.target = std::move(*ep);
    return item;
  }
  item.kind = RouteItem::Kind::Url;
  item.scheme = to_lower(text.substr(0, sep));
  if (!scheme_known(item.scheme))
    return impulse::unexpected("unknown route scheme '" + std::string(text.substr(0, sep)) +
                               "'; expected one of: smtp, lmtp, apn, gcm, mm7, mm7s, http, https");
  std::string_view rest = text.substr(sep + 3);
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (istarts_with(rest, "unix:")) return unix_url(item, rest, query);
  std::string_view authority = rest;
  // The path starts at the first '/' after the authority; a bracketed IPv6
  // literal never contains '/', so searching from the start is safe.
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    item.path = std::string(rest.substr(slash));
  }
  if (authority.empty()) return impulse::unexpected(std::string("empty host in route"));
  if (!item.path.empty() && item.path != "/" && !scheme_has_path(item.scheme))
    return impulse::unexpected("unexpected path '" + item.path + "' in " + item.scheme +
                               " route (only apn, gcm, mm7, http and https routes carry a path)");
  if (item.path == "/" && !scheme_has_path(item.scheme)) item.path.clear();
  auto ep = parse_endpoint(authority, false);
  if (!ep) return impulse::unexpected(ep.error());
  item.target = std::move(*ep);
  if (auto r = apply_query(query, item); !r) return impulse::unexpected(r.error());
  return item;
}

}  // namespace impulse::config
