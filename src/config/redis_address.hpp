// The `Redis` option of the `Cluster { }` stanza (SPEC §18) as a value:
// "host:port" (port default 6379, IPv6 bracketed), "redis://[user:password@]
// host[:port][/db]" or a Unix socket path (starts with '/').
// Pure: text in, value or reason out; no I/O; any thread. Used by the
// configuration check (cluster_checks.hpp) and the Redis client
// (src/cluster/redis_link.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::config {

struct RedisAddress {
  std::string host;         // empty for a Unix socket
  std::uint16_t port = 6379;
  std::string socket_path;  // set for a Unix socket
  std::string user;         // AUTH user (may be empty with a password: AUTH password)
  std::string password;     // empty: no AUTH
  int db = 0;               // SELECT db when not 0
};

impulse::expected<RedisAddress, std::string> parse_redis_address(std::string_view text);

}  // namespace impulse::config
