#include "dns/forwarder.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <netinet/in.h>

namespace impulse::dns {
namespace {

constexpr const char* kExpected =
    "expected an IP address with optional port: \"127.0.0.1:53\", \"[::1]:53\" or \"::1\"";

bool is_ip(std::string_view text, int family) {
  std::string s(text);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(family, s.c_str(), buf) == 1;
}

Result<unsigned> parse_port(std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return fail("bad port \"" + std::string(text) + "\" (1-65535)");
  }
  return port;
}

// "<what>: <kExpected>", built in a named string: GCC 12 at -O2 warns
// -Warray-bounds on `std::string("literal") + kExpected` (a false positive
// of its inlined memcpy bounds, GCC bug 105651).
std::string expected_after(std::string_view what) {
  std::string message(what);
  message += ": ";
  message += kExpected;
  return message;
}

std::string at_port(std::string_view host, unsigned port) {
  return std::string(host) + "@" + std::to_string(port);
}

}  // namespace

Result<std::string> unbound_forwarder(std::string_view ns) {
  if (ns.empty()) return fail(kExpected);
  if (ns.front() == '[') {
    auto close = ns.find(']');
    if (close == std::string_view::npos) return fail(expected_after("missing ']'"));
    auto host = ns.substr(1, close - 1);
    if (!is_ip(host, AF_INET6)) return fail(expected_after("bad IPv6 address"));
    auto rest = ns.substr(close + 1);
    if (rest.empty()) return at_port(host, kDnsPort);
    if (rest.front() != ':') return fail(kExpected);
    auto port = parse_port(rest.substr(1));
    if (!port) return fail(port.error().message);
    return at_port(host, *port);
  }
  if (std::count(ns.begin(), ns.end(), ':') > 1) {
    if (!is_ip(ns, AF_INET6)) return fail(expected_after("bad IPv6 address"));
    return at_port(ns, kDnsPort);
  }
  auto colon = ns.find(':');
  auto host = ns.substr(0, colon);
  if (!is_ip(host, AF_INET)) return fail(kExpected);
  if (colon == std::string_view::npos) return at_port(host, kDnsPort);
  auto port = parse_port(ns.substr(colon + 1));
  if (!port) return fail(port.error().message);
  return at_port(host, *port);
}

}  // namespace impulse::dns
