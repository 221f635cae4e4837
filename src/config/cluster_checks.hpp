// The configuration check's Cluster rules (SPEC §18), run by validate():
//   error  a `Cluster { }` stanza without Redis, or a Redis value that is
//          not host:port, redis://[user:password@]host:port/db or a Unix
//          socket path (parse_redis_address says why).
// Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_cluster(const ScopeNode& root, Diagnostics& errors);

}  // namespace impulse::config
