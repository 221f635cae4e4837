// Push outcomes (SPEC §11 "Outcomes"): what every channel transport (APN,
// GCM, and MM7 where it applies) shares when a service's answer becomes a
// queue outcome, so the rules are written once:
//   delivered                -> D, the response text ("200 Success")
//   permanent                -> P/B and a DSN with Status 5.0.0, the
//                               response text as the diagnostic; bounce
//                               class from the usual classifier
//   dead token (APNs 410, FCM UNREGISTERED, legacy NotRegistered)
//                            -> permanent, bouncelog class 10 (Invalid
//                               Recipient), DSN Status 5.1.1
//   transient                -> T; with Retry-After (429/503) the
//                               (binding, domain) queue is held at least
//                               that long
//   credentials refused (APNs 403 but ExpiredProviderToken, FCM 401, OAuth
//   refused, MM7 401)        -> transient for the message, the queue held
//                               for Host_Failure_Retry seconds; the queue
//                               writes the one paniclog line
//                               "<binding>/<domain>: queue held for N s:
//                               credentials refused by <service>: <text>"
//   a message the channel cannot use (no channel part, bad token, bad
//   payload)                 -> permanent `554 5.6.0 [internal] <why>`, no request
// One request per recipient: each recipient's PushRecipientResult is
// combined into the attempt's AttemptResult (outcomes in job order, at most
// one Hold: the longest).
//
// Leaves to others: classifying the service's response (protocol/
// apn_response.hpp, ...), retries inside one attempt (token renewal, GOAWAY
// moves: the transport), hold timing and paniclog lines (queue::DomainQueue::hold).
// Stages: a response is queue::kStageResponse (9); a message refused before
// any request is queue::kStageRequest (8, nothing written).
// Threading: pure functions; any thread. Failure modes: none.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/apn_response.hpp"
#include "queue/outcome.hpp"

namespace impulse::delivery::push {

enum class PushVerdictKind { kDelivered, kPermanent, kDeadToken, kTransient, kCredentials };

struct PushVerdict {
  PushVerdictKind kind = PushVerdictKind::kTransient;
  std::string response_text;  // "<HTTP status> <reason>"
  std::optional<std::chrono::seconds> retry_after;
};

// Where the answer came from.
struct PushPeer {
  std::string service;      // "APN", "GCM", "MM7": named in the hold's reason
  std::string address;      // the server's IP (mainlog remote_ip)
  std::string host;         // the route host (DSN Remote-MTA)
  std::uint64_t bytes_sent = 0;
};

struct PushRecipientResult {
  queue::Outcome outcome;
  std::optional<queue::Hold> hold;
};

// One recipient's response.
PushRecipientResult push_outcome(const PushVerdict& verdict, const PushPeer& peer,
                                 std::chrono::seconds host_failure_retry);

// A recipient for whom no request is made: 554 5.6.0 [internal] <why>
// (line breaks in `why` become spaces).
PushRecipientResult unusable_message(std::string_view why);

// An APNs verdict in these terms. kRenewToken and kRetryOnNewConnection are
// the transport's to retry within the attempt; when one still reaches here
// (the retry got the same answer) it is kCredentials and kTransient.
PushVerdict from_apn(const protocol::ApnVerdict& verdict);

// The attempt's result: one outcome per recipient in order, and the
// longest of their holds (one paniclog line per attempt).
queue::AttemptResult combine(std::vector<PushRecipientResult> results);

}  // namespace impulse::delivery::push
