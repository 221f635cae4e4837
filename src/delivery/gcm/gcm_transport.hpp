// The GCM transport (delivery/transport.hpp) for Delivery_Method = GCM:
// FCM HTTP v1 with an OAuth2 service account, or the legacy HTTP API with a
// server key (SPEC §11, §13; reference/protocols.md §5;
// reference/momentum.md §9.3). settings() reads GcmSettings
// (gcm_settings_config.hpp); open() connects to the chosen address
// (gcm_link.hpp: HTTP/2 when offered by ALPN, else HTTP/1.1 keep-alive; a
// server seen without h2 is not asked for it again by this loop) and
// returns a GcmSession (gcm_session.hpp).
// Route hosts arrive already resolved (routing: A/AAAA only); the OAuth
// token_uri host is resolved like one through the loop's resolver
// (Transport::use_resolver; token_endpoint.hpp).
//
// Per loop, shared by its sessions: the TLS contexts (ALPN h2; one per TLS
// options and snapshot). Daemon-wide, shared by every loop's transport made
// by one factory: the access tokens (one AccessToken per service account:
// its client_email, key and token_uri; one grant in flight, the token
// reused across requests, connections, loops and snapshots).
// Executor: one GcmTransport per event loop; everything on that loop.
// Failure modes: settings() fails for a configuration that cannot deliver
// (both authentications, an unreadable or malformed service-account file,
// a key OpenSSL refuses, an unreadable TLS file): the manager reports
// "delivery method not available" with the text. open() fails with a
// Scope::kHost outcome (gcm_outcome.hpp).
#pragma once

#include "delivery/transport.hpp"
#include "runtime/spawn.hpp"

namespace impulse::log {
class EventSink;
}

namespace impulse::delivery::gcm {

// The factory to register for Delivery_Method = GCM. `problems` receives
// failures of the connections' own coroutines (bugs); may be empty.
// `events` receives token_replaced events; may be null.
TransportFactory gcm_transport_factory(runtime::ProblemSink problems = {}, log::EventSink* events = nullptr);

}  // namespace impulse::delivery::gcm
