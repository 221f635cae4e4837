// Implementation of config/redis_address.hpp.
#include "config/redis_address.hpp"

#include <charconv>

namespace impulse::config {
namespace {

bool parse_number(std::string_view s, long max, long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= max;
}

impulse::expected<void, std::string> host_port(std::string_view s, RedisAddress& a) {
  std::string_view host = s, port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return impulse::unexpected(std::string("unclosed '[' in the host"));
    host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return impulse::unexpected(std::string("expected ':' after ']'"));
      port = rest.substr(1);
      if (port.empty()) return impulse::unexpected(std::string("empty port"));
    }
  } else if (const auto colon = s.rfind(':'); colon != std::string_view::npos) {
    if (s.find(':') != colon) return impulse::unexpected(std::string("an IPv6 address needs brackets"));
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (port.empty()) return impulse::unexpected(std::string("empty port"));
  }
  if (host.empty()) return impulse::unexpected(std::string("no host"));
  if (host.find_first_of(" \t/@") != std::string_view::npos)
    return impulse::unexpected(std::string("bad host name"));
  a.host = std::string(host);
  if (!port.empty()) {
    long p = 0;
    if (!parse_number(port, 65535, p) || p == 0) return impulse::unexpected("bad port '" + std::string(port) + "'");
    a.port = static_cast<std::uint16_t>(p);
  }
  return {};
}

}  // namespace

impulse::expected<RedisAddress, std::string> parse_redis_address(std::string_view text) {
  RedisAddress a;
  if (text.empty()) return impulse::unexpected(std::string("empty"));
  if (text.front() == '/') {
    a.socket_path = std::string(text);
    return a;
  }
  constexpr std::string_view kScheme = "redis://";
  if (text.substr(0, kScheme.size()) == kScheme) {
    std::string_view rest = text.substr(kScheme.size());
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
      std::string_view db = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
      long n = 0;
      if (!db.empty() && !parse_number(db, 1000000, n)) return impulse::unexpected("bad database '" + std::string(db) + "'");
      a.db = static_cast<int>(n);
    }
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
      std::string_view cred = rest.substr(0, at);
      rest = rest.substr(at + 1);
      if (const auto colon = cred.find(':'); colon != std::string_view::npos) {
        a.user = std::string(cred.substr(0, colon));
        a.password = std::string(cred.substr(colon + 1));
      } else {
        a.password = std::string(cred);
      }
    }
    auto hp = host_port(rest, a);
    if (!hp) return impulse::unexpected(hp.error());
    return a;
  }
  if (text.find("://") != std::string_view::npos)
    return impulse::unexpected(std::string("only redis:// URLs are understood"));
  auto hp = host_port(text, a);
  if (!hp) return impulse::unexpected(hp.error());
  return a;
}

}  // namespace impulse::config
