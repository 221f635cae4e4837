// The GCM transport's one place where responses and failures become
// outcomes (docs/architecture.md rule 4; SPEC §11 "Outcomes", §13 "Status
// -> outcome"), over the rules every channel shares
// (delivery/push/push_outcome.hpp): a classified FCM v1 or legacy response
// (protocol/gcm_response.hpp), the OAuth token endpoint refusing
// (credentials: transient, queue held for Host_Failure_Retry) or not
// answering (transient), an HTTP/2 failure, a message that cannot be sent
// (554 5.6.0 [internal] <why>, no request), missing credentials (451 4.7.0
// [internal] GCM credentials not configured, queue held), and a connection
// that could not be opened.
//
// Leaves to others: the retry after a 401 with a fresh token (gcm_session),
// what a disposition means (the queue), hold timing.
// Pure functions; any thread. Failure modes: none.
#pragma once

#include <chrono>
#include <string_view>

#include "delivery/gcm/access_token.hpp"
#include "delivery/http2/http2_types.hpp"
#include "delivery/push/push_outcome.hpp"
#include "delivery/transport.hpp"
#include "protocol/gcm_response.hpp"

namespace impulse::delivery::gcm {

using push::PushPeer;
using push::PushRecipientResult;

PushRecipientResult credentials_not_configured(std::chrono::seconds hold);
PushRecipientResult response_outcome(const protocol::GcmVerdict& verdict, const PushPeer& peer,
                                     std::chrono::seconds credentials_hold);
PushRecipientResult token_outcome(const TokenResult& token, const PushPeer& peer,
                                  std::chrono::seconds credentials_hold);
PushRecipientResult failure_outcome(const http2::Http2Error& error, const PushPeer& peer);
SessionOpenFailure open_failure(const http2::Http2Error& error, const PushPeer& peer);

}  // namespace impulse::delivery::gcm
