// One item of a `Routes` array (seed 003 "routes"; SPEC §3):
//   "my.smart.host" / "10.0.0.1" / "[::1]:2525"   host or IP literal
//   "__mx__"                                       the domain's own MX set
//   "smtp://HOST?pref=P&ttl=T&port=O&type=Y"       URL form; schemes smtp,
//       lmtp, apn, gcm, mm7, http, https (mm7/http may carry a path)
//   "unix:/run/dovecot/lmtp"                       a local stream socket
//   "lmtp://unix:/run/dovecot/lmtp?pref=P&ttl=T"   the same in URL form (smtp
//       and lmtp only; no port= or type=); target.unix_socket is set
// Pure parser (fuzzed); errors say what was expected. Preference ordering of
// a whole route list is the routing library's job, not this file's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "config/net.hpp"

namespace impulse::config {

struct RouteItem {
  enum class Kind { Host, Mx, Url };
  enum class Lookup { Mx, A };  // type=mx (MX then A/AAAA, default) or type=a
  Kind kind = Kind::Host;
  std::string scheme;               // Url: lower-cased scheme; else empty
  Endpoint target;                  // Host/Url: host (+port written as host:port)
  std::string path;                 // Url: path after the host ("/mmssend"), may be empty
  std::optional<std::uint32_t> pref;
  std::optional<std::uint32_t> ttl;  // seconds
  std::optional<std::uint16_t> port; // port= query parameter (wins over target.port)
  Lookup lookup = Lookup::Mx;

  // The effective explicit port: port= if given, else a port written after the host.
  std::optional<std::uint16_t> explicit_port() const { return port ? port : target.port; }
};

impulse::expected<RouteItem, std::string> parse_route_item(std::string_view text);

}  // namespace impulse::config
