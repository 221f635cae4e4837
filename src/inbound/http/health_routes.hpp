// Health endpoints (SPEC §16 "Health"), both Access::kPublic (no key, any
// client):
//   GET /healthz  200 {"status": "ok"} while the daemon runs (the loop that
//                 answers is alive)
//   GET /readyz   200 {"status": "ready"} while `not_ready()` says nothing;
//                 else 503 {"error": "<why not>"} (spool not writable,
//                 listeners not open, shutting down: see readiness.hpp)
// Leaves to others: what readiness means (the wiring's check).
// Threads: handlers run on any loop; `not_ready` must be thread-safe and
// cheap (no I/O that can block for long).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "inbound/http/http_route.hpp"

namespace impulse::inbound::http {

// nullopt = ready; otherwise the reason.
using ReadinessCheck = std::function<std::optional<std::string>()>;

void add_health_routes(Routes& routes, ReadinessCheck not_ready);

}  // namespace impulse::inbound::http
