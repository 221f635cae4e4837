// The APN transport (delivery/transport.hpp) for Delivery_Method = APN:
// Apple's HTTP/2 provider API (SPEC §11, §12; reference/protocols.md §4a;
// reference/momentum.md §9.2). settings() reads ApnSettings
// (apn_settings_config.hpp); open() connects one HTTP/2 connection
// (delivery/http2/) to the chosen address and returns an ApnSession
// (apn_session.hpp) whose capacity is the server's concurrent streams.
// Route hosts arrive already rewritten and resolved (routing: retired
// gateway.push.apple.com:2195 -> api.push.apple.com:443, A/AAAA only).
//
// Per loop, shared by its sessions: the TLS contexts (ALPN h2; one per TLS
// options and snapshot), the apns-id generator. Shared by every loop's
// transport (made by one factory): the provider tokens, one per key file,
// key id and team id, reused across requests and connections and renewed
// by provider_token.hpp (shared_token.hpp).
// Executor: one ApnTransport per event loop; everything on that loop.
// Failure modes: settings() fails for a configuration that cannot deliver
// (both authentications, incomplete token settings, an unreadable key file
// or TLS file): the manager reports "delivery method not available" with
// the text. open() fails with a Scope::kHost outcome (apn_outcome.hpp).
#pragma once

#include "delivery/transport.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery::apn {

// The factory to register for Delivery_Method = APN. `problems` receives
// failures of the connections' own coroutines (bugs); may be empty.
TransportFactory apn_transport_factory(runtime::ProblemSink problems = {});

}  // namespace impulse::delivery::apn
