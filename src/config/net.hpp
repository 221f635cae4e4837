// Network literals used by configuration values: CIDR blocks
// (Relay_Hosts, Prohibited_Hosts, Skip_Hosts, Peer; IPv6 unbracketed),
// host[:port] endpoints (Gateway, Listen; IPv6 must be bracketed when a
// port may follow), and IP address parsing. Pure parsers (fuzzed), no DNS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::config {

// An IPv4 or IPv6 address in network byte order. IPv4 uses bytes[0..3].
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  std::string str() const;  // canonical text ("10.0.0.1", "::1")
  bool operator==(const IpAddress&) const = default;
};

// Parses "10.0.0.1" or "::1" / "fe80::a00" (no brackets, no port).
std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress network;
  unsigned prefix = 0;  // 0..32 or 0..128
  bool contains(const IpAddress& ip) const;
};

// "127.0.0.0/8", "10.1.2.3" (= /32), "::1", "fd00::/8". Error text says what
// was expected, e.g. "expected an IPv4 or IPv6 address with optional /prefix".
impulse::expected<Cidr, std::string> parse_cidr(std::string_view text);

// host[:port]: "mx.example.com", "mx.example.com:2525", "10.0.0.1:25",
// "[::1]", "[::1]:2525". A bare IPv6 literal ("::1") is an error ("IPv6
// address must be in brackets"). Unix socket forms ("unix:/path", "/path")
// are accepted when allow_unix is true.
struct Endpoint {
  std::string host;                  // hostname or IP text without brackets; socket path for unix
  std::optional<IpAddress> ip;       // set when host is an IP literal
  std::optional<std::uint16_t> port;
  bool unix_socket = false;
};
impulse::expected<Endpoint, std::string> parse_endpoint(std::string_view text, bool allow_unix = false);

// A `Listen "..."` address: "127.0.0.1:25", "[::1]:25", ":25" or "*:25"
// (every IPv4 address: host "0.0.0.0"), "[*]:25" (every IPv6 address: host
// "::"), or a Unix socket path (any text containing '/', or "unix:PATH").
// Network forms need a port.
impulse::expected<Endpoint, std::string> parse_listen_address(std::string_view text);

}  // namespace impulse::config
