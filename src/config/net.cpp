// Implementation of config/net.hpp: IP literals, CIDR blocks and host[:port]
// endpoints. Pure functions over text; inet_pton/inet_ntop do the address
// arithmetic (they touch no state).
#include "config/net.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "base/strings.hpp"

namespace impulse::config {

namespace {

constexpr std::string_view kBracketHint = "IPv6 address must be in brackets, e.g. \"[::1]:25\"";

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Parses a decimal number in [lo, hi]; nullopt on anything else.
std::optional<std::uint32_t> parse_number(std::string_view s, std::uint32_t lo, std::uint32_t hi) {
  if (!is_digits(s) || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  if (v < lo || v > hi) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// Strict dotted quad: four decimal fields 0..255, no leading zeros.
std::optional<IpAddress> parse_ipv4(std::string_view text) {
  auto parts = split(text, '.');
  if (parts.size() != 4) return std::nullopt;
  IpAddress ip;
  for (std::size_t i = 0; i < 4; ++i) {
    auto p = parts[i];
    if (p.empty() || p.size() > 3 || !is_digits(p)) return std::nullopt;
    if (p.size() > 1 && p[0] == '0') return std::nullopt;
    auto v = parse_number(p, 0, 255);
    if (!v) return std::nullopt;
    ip.bytes[i] = static_cast<std::uint8_t>(*v);
  }
  return ip;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find(':') == std::string_view::npos) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  return ip;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// A DNS host name: labels of [A-Za-z0-9_-], separated by single dots, one
// trailing dot allowed.
bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  std::string_view h = host;
  if (h.back() == '.') h.remove_suffix(1);
  if (h.empty()) return false;
  for (auto label : split(h, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!is_host_char(c) || c == '.') return false;
  }
  return true;
}

bool looks_numeric(std::string_view host) {
  for (char c : host)
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  return true;
}

impulse::expected<std::uint16_t, std::string> parse_port(std::string_view s) {
  auto v = parse_number(s, 1, 65535);
  if (!v) return impulse::unexpected(std::string("expected a port between 1 and 65535"));
  return static_cast<std::uint16_t>(*v);
}

// host part (no brackets, no port) -> Endpoint fields.
impulse::expected<Endpoint, std::string> host_only(std::string_view host) {
  Endpoint ep;
  ep.host = std::string(host);
  if (host.empty()) return impulse::unexpected(std::string("expected a host name or IP address"));
  if (auto ip = parse_ipv4(host)) {
    ep.ip = *ip;
    return ep;
  }
  if (looks_numeric(host)) return impulse::unexpected("invalid IPv4 address '" + std::string(host) + "'");
  if (!valid_host_name(host)) return impulse::unexpected("invalid host name '" + std::string(host) + "'");
  return ep;
}

}  // namespace

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (auto v4 = parse_ipv4(text)) return v4;
  return parse_ipv6(text);
}

bool Cidr::contains(const IpAddress& ip) const {
  if (ip.v6 != network.v6) return false;
  unsigned full = prefix / 8;
  for (unsigned i = 0; i < full; ++i)
    if (ip.bytes[i] != network.bytes[i]) return false;
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (ip.bytes[full] & mask) == (network.bytes[full] & mask);
}

impulse::expected<Cidr, std::string> parse_cidr(std::string_view text) {
  const std::string expected_text = "expected an IPv4 or IPv6 address with optional /prefix";
  text = trim(text);
  std::string_view addr = text;
  std::optional<std::string_view> prefix_text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
  auto ip = parse_ip(addr);
  if (!ip) return impulse::unexpected(expected_text);
  Cidr c;
  c.network = *ip;
  unsigned max = ip->v6 ? 128 : 32;
  c.prefix = max;
  if (prefix_text) {
    auto p = parse_number(*prefix_text, 0, max);
    if (!p) return impulse::unexpected("expected a prefix length between 0 and " + std::to_string(max));
    c.prefix = *p;
  }
  // Clear the host bits so that network.str() names the block.
  for (unsigned bit = c.prefix; bit < max; ++bit)
    c.network.bytes[bit / 8] = static_cast<std::uint8_t>(c.network.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  return c;
}

impulse::expected<Endpoint, std::string> parse_endpoint(std::string_view text, bool allow_unix) {
  text = trim(text);
  if (text.empty()) return impulse::unexpected(std::string("expected a host name or IP address"));
  if (allow_unix) {
    if (istarts_with(text, "unix:")) {
      Endpoint ep;
      ep.unix_socket = true;
      ep.host = std::string(text.substr(5));
      if (ep.host.empty()) return impulse::unexpected(std::string("expected a socket path after 'unix:'"));
      return ep;
    }
    if (text.find('/') != std::string_view::npos) {
      Endpoint ep;
      ep.unix_socket = true;
      ep.host = std::string(text);
      return ep;
    }
  }
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return impulse::unexpected(std::string("missing ']' after the IPv6 address"));
    auto inner = text.substr(1, close - 1);
    auto ip = parse_ipv6(inner);
    if (!ip) return impulse::unexpected("expected an IPv6 address inside brackets, got '" + std::string(inner) + "'");
    Endpoint ep;
    ep.host = std::string(inner);
    ep.ip = *ip;
    auto rest = text.substr(close + 1);
    if (rest.empty()) return ep;
    if (rest.front() != ':')
      return impulse::unexpected("unexpected '" + std::string(rest) + "' after the IPv6 address");
    auto port = parse_port(rest.substr(1));
    if (!port) return impulse::unexpected(port.error());
    ep.port = *port;
    return ep;
  }
  auto colons = std::count(text.begin(), text.end(), ':');
  if (colons > 1) return impulse::unexpected(std::string(kBracketHint));
  if (colons == 1) {
    auto colon = text.find(':');
    auto ep = host_only(text.substr(0, colon));
    if (!ep) return ep;
    auto port = parse_port(text.substr(colon + 1));
    if (!port) return impulse::unexpected(port.error());
    ep->port = *port;
    return ep;
  }
  return host_only(text);
}

impulse::expected<Endpoint, std::string> parse_listen_address(std::string_view text) {
  text = trim(text);
  if (text.empty())
    return impulse::unexpected(std::string("expected a listen address such as \"127.0.0.1:25\", \"[::1]:25\", "
                                           "\":25\" or a socket path"));
  if (text.find('/') != std::string_view::npos || istarts_with(text, "unix:")) return parse_endpoint(text, true);
  if (text.front() != '[' && std::count(text.begin(), text.end(), ':') > 1)
    return impulse::unexpected(std::string(kBracketHint));
  // Wildcards: ":25" / "*:25" = every IPv4 address, "[*]:25" = every IPv6 address.
  std::string_view port_text;
  std::optional<Endpoint> any;
  if (text.front() == ':') {
    port_text = text.substr(1);
    any.emplace();
    any->host = "0.0.0.0";
  } else if (text.starts_with("*:")) {
    port_text = text.substr(2);
    any.emplace();
    any->host = "0.0.0.0";
  } else if (text.starts_with("[*]:")) {
    port_text = text.substr(4);
    any.emplace();
    any->host = "::";
  }
  if (any) {
    any->ip = parse_ip(any->host);
    auto port = parse_port(port_text);
    if (!port) return impulse::unexpected(port.error());
    any->port = *port;
    return *any;
  }
  auto ep = parse_endpoint(text, false);
  if (!ep) return ep;
  if (!ep->port) return impulse::unexpected(std::string("expected a port after the address, e.g. \"127.0.0.1:25\""));
  return ep;
}

}  // namespace impulse::config
