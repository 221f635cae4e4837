// Who may use an HTTP_Listener route (SPEC §16 "Who may use it"):
//   kPublic          anyone (/healthz, /readyz)
//   kRelayHostsOnly  clients inside Relay_Hosts, else 403
//   kApiKey          clients inside Relay_Hosts (else 403) and, when
//                    API_Keys is set, `Authorization: Bearer <one of them>`
//                    (else 401 with `WWW-Authenticate: Bearer`)
// Keys are compared in constant time (CRYPTO_memcmp over equal lengths).
//
// Leaves to others: finding the route (Routes::lookup), the session that
// calls this before every handler.
// Pure apart from the comparison; any thread. Failures are the JSON error
// reply to send ({"error": ...}), never exceptions.
#pragma once

#include <optional>
#include <string_view>

#include "config/net.hpp"
#include "inbound/http/http_listener_settings.hpp"
#include "inbound/http/http_route.hpp"

namespace impulse::inbound::http {

// nullopt when the request may go on; otherwise the 403 or 401 reply.
std::optional<Response> check_access(Access access, const HttpListenerSettings& settings,
                                     const config::IpAddress& peer, const Request& req);

// Whether `peer` is inside settings.relay_hosts.
bool peer_allowed(const HttpListenerSettings& settings, const config::IpAddress& peer);

// The token of an `Authorization: Bearer <token>` value (scheme compared
// case-insensitively, RFC 6750 §2.1); empty when the value is another scheme.
std::string_view bearer_token(std::string_view authorization);

}  // namespace impulse::inbound::http
