// The APN transport's one place where responses and failures become
// outcomes (docs/architecture.md rule 4; SPEC §11 "Outcomes", §12
// "Status -> outcome"): a classified APNs response (protocol/apn_response.hpp),
// an HTTP/2 failure (delivery/http2/http2_types.hpp), a message that cannot
// be sent (554 5.6.0 [internal] <why>, no request), missing credentials
// (451 4.7.0, queue held), and a connection that could not be opened.
//
// The rules shared by every push channel (DSN status, class 10 for a dead
// token, credentials refused and Retry-After holding the queue, 554 5.6.0
// for an unusable message) are delivery/push/push_outcome.hpp's; this file
// adds APN's own cases and the apns-id (Outcome::remote_id). Renewal and
// GOAWAY retries are decided by the session before it gets here (one
// attempt, no T record).
// Leaves to others: what a disposition means (the queue), retry timing.
// Pure functions; any thread. Failure modes: none.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/http2/http2_types.hpp"
#include "delivery/push/push_outcome.hpp"
#include "delivery/transport.hpp"
#include "protocol/apn_response.hpp"
#include "queue/outcome.hpp"

namespace impulse::delivery::apn {

// Where the outcome happened (the mainlog's remote_ip, the DSN's Remote-MTA).
struct ApnPeer {
  std::string address;
  std::string host;
  std::uint64_t bytes_sent = 0;
  std::string domain;  // the queue's domain, for the hold's paniclog reason
};

using ApnResult = push::PushRecipientResult;

// No request can be made for this recipient: permanent 554 5.6.0 [internal] <why>.
ApnResult unusable_message(std::string_view why);
// APN_Key_File/tls_certificate both unset: transient 451 4.7.0, queue held.
ApnResult credentials_not_configured(std::chrono::seconds hold);
// An APNs response, classified; `apns_id` is what was sent.
ApnResult response_outcome(const protocol::ApnVerdict& verdict, const ApnPeer& peer, std::string_view apns_id,
                           std::chrono::seconds credentials_hold);
// No response (deadline, connection lost, not processed even on a new connection).
ApnResult failure_outcome(const http2::Http2Error& error, const ApnPeer& peer);
// The connection could not be opened (Scope::kHost: the manager quarantines the address).
SessionOpenFailure open_failure(const http2::Http2Error& error, const ApnPeer& peer);

}  // namespace impulse::delivery::apn
