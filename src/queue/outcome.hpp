// Delivery outcomes: what a delivery agent reports back to the queue for each
// recipient of an attempt (delivered / transient / permanent), with the reply
// text, the connection stage, the remote address, the bytes sent and the
// scope the outcome applies to; optionally a route verdict (Hold: "do not use
// this queue, or this host, until a time"); plus the catalogue of Momentum's
// own "[internal]" reply texts, so every agent writes them identically.
//
// Leaves to others: mapping socket errors and protocol replies to outcomes
// (each transport, in exactly one place: docs/architecture.md rule 4); retry timing,
// hold timing and bounces (the queue: queue/domain_queue.hpp,
// queue/retry_policy.hpp, protocol/dsn.hpp); host holds (the connection
// manager); log records (log/mainlog_format.hpp).
// Threading: plain values; safe to move between threads.
// Failure modes: none (data only).
// Spec: SPEC §4 (every attempt ends per recipient as delivered, transient or
// permanent), §3 rule 5 and §11 (dead domain, credentials refused,
// Retry-After hold the queue); reference/momentum.md §6 (stage codes), §7.6
// (internal texts).
#pragma once

#include "protocol/bounce_classify.hpp"
#include "protocol/enhanced_status.hpp"
#include "protocol/internal_replies.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impulse::queue {

// Connection stage at which an outcome happened, with Momentum's numbers as
// written in the mainlog and bouncelog (M4/4-log-formats-connection-stages).
// The names are SMTP's; transports that are not SMTP (HTTP-based APN, GCM,
// MM7; ECSTREAM) use the same codes by analogy (SPEC §11: "stage 0 for
// connection failures and 9 for a response"):
//   connection refused, unreachable, timed out: 0 (kNotConnected);
//   TLS handshake or certificate failure: 17 (kTlsHandshake), or 0 when the
//     transport cannot tell the handshake from the connection;
//   failure while writing the request: 8 (kSendingBody, alias kStageRequest);
//   a response read (any status), or a failure while waiting for it:
//     9 (kReadingConfirmation, alias kStageResponse).
enum class Stage : int {
  kNotConnected = 0,
  kIdle = 1,
  kDuringMailFrom = 2,
  kAfterMailFrom = 3,
  kDuringRcptTo = 4,
  kAfterRcptTo = 5,
  kDuringData = 6,
  kAfterData = 7,
  kSendingBody = 8,
  kReadingConfirmation = 9,
  kDuringEhlo = 10,
  kAfterEhlo = 11,
  kReadingBanner = 12,
  kDuringRset = 13,
  kAfterRset = 14,
  kDuringStartTls = 15,
  kAfterStartTls = 16,
  kTlsHandshake = 17,
  kTlsRenegotiation = 18,
  kDuringXclient = 19,
  kAfterXclient = 20,
  kOutOfBandBounce = 21,
  kUnknown = 22,
};

// Aliases for transports whose exchange is a request and a response.
inline constexpr Stage kStageRequest = Stage::kSendingBody;
inline constexpr Stage kStageResponse = Stage::kReadingConfirmation;

constexpr int stage_code(Stage s) { return static_cast<int>(s); }

constexpr std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::kNotConnected: return "not connected";
    case Stage::kIdle: return "idle";
    case Stage::kDuringMailFrom: return "during MAIL FROM";
    case Stage::kAfterMailFrom: return "after MAIL FROM";
    case Stage::kDuringRcptTo: return "during RCPT TO";
    case Stage::kAfterRcptTo: return "after RCPT TO";
    case Stage::kDuringData: return "during DATA";
    case Stage::kAfterData: return "after DATA";
    case Stage::kSendingBody: return "sending BODY";
    case Stage::kReadingConfirmation: return "reading confirmation";
    case Stage::kDuringEhlo: return "during EHLO";
    case Stage::kAfterEhlo: return "after EHLO";
    case Stage::kReadingBanner: return "reading BANNER";
    case Stage::kDuringRset: return "during RSET";
    case Stage::kAfterRset: return "after RSET";
    case Stage::kDuringStartTls: return "during STARTTLS";
    case Stage::kAfterStartTls: return "after STARTTLS";
    case Stage::kTlsHandshake: return "TLS handshake";
    case Stage::kTlsRenegotiation: return "TLS renegotiation";
    case Stage::kDuringXclient: return "during XCLIENT";
    case Stage::kAfterXclient: return "after XCLIENT";
    case Stage::kOutOfBandBounce: return "out-of-band bounce";
    case Stage::kUnknown: return "unknown";
  }
  return "unknown";
}

enum class Disposition {
  kDelivered,  // accepted by the peer: remove from spool, log D
  kTransient,  // retry later: delayed queue, log T
  kPermanent,  // never retry: bounce, log P (and B in the bouncelog)
};

// Who the outcome is about. The queue uses it to decide what else is
// affected: kHost marks the target host (address) bad for host_failure_retry,
// kDomain applies to every message of the (binding, domain) queue (e.g. DNS
// failure, no MX reachable), kMessage to every recipient of the message
// (e.g. a 5xx after DATA), kRecipient to this recipient only (RCPT reply).
enum class Scope { kRecipient, kMessage, kHost, kDomain };

constexpr std::string_view disposition_name(Disposition d) {
  switch (d) {
    case Disposition::kDelivered: return "delivered";
    case Disposition::kTransient: return "transient";
    case Disposition::kPermanent: return "permanent";
  }
  return "transient";
}

constexpr std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::kRecipient: return "recipient";
    case Scope::kMessage: return "message";
    case Scope::kHost: return "host";
    case Scope::kDomain: return "domain";
  }
  return "recipient";
}

// What a delivered outcome means for a recipient that asked NOTIFY=SUCCESS
// (RFC 3461 §6.2.2; SPEC §19). Set by the transport, read by the queue's
// success reports (queue/outcome_handler.cpp).
enum class DsnHandoff : std::uint8_t {
  kNone,      // the transport does not say (channel transports, ECSTREAM): no report
  kFinal,     // final delivery (LMTP to a server without DSN): "delivered"
  kRelayed,   // an SMTP next hop without DSN: "relayed"
  kPassedOn,  // the next hop listed DSN and got NOTIFY/ORCPT: it reports, Impulse does not
};

// The outcome of one attempt for one recipient.
struct Outcome {
  Disposition disposition = Disposition::kTransient;
  Scope scope = Scope::kRecipient;
  // The reply as received ("550 5.1.1 <x@y>: Recipient address rejected";
  // multi-line replies keep their CRLFs, the log sanitises) or one of the
  // [internal] texts below.
  std::string reply;
  Stage stage = Stage::kUnknown;
  std::string remote_ip;    // address of the peer; empty when no connection was made
  std::string remote_host;  // its name (MX or route host), for the DSN's Remote-MTA; may be empty
  std::uint64_t bytes_sent = 0;  // 0 = no connection made (mainlog T/P field 6)
  std::string remote_id;         // the service's id for the message (MM7 MessageID, push id); may be empty

  // Channel transports (SPEC §11): what the reply text cannot say, since an
  // HTTP status is no SMTP code. The bouncelog class (a dead push token is
  // 10, Invalid Recipient) and the DSN's Status (5.1.1 dead token, 5.0.0
  // other push failures); nullopt = derived from `reply` as for SMTP.
  std::optional<protocol::BounceClass> bounce_class = std::nullopt;
  std::optional<protocol::EnhancedStatus> dsn_status = std::nullopt;
  DsnHandoff dsn_handoff = DsnHandoff::kNone;  // delivered outcomes only

  bool delivered() const { return disposition == Disposition::kDelivered; }
  bool transient() const { return disposition == Disposition::kTransient; }
  bool permanent() const { return disposition == Disposition::kPermanent; }
  // True for Momentum-generated texts (no remote server said this).
  bool internal() const { return reply.find("[internal]") != std::string::npos; }
};

// A route verdict. An attempt (or the agent without one) says: do not use
// this (binding, domain) queue, or this host, until a time (SPEC §3 rule 5
// dead domain, §11 credentials refused / Retry-After). The queue decides the
// time (DomainQueue::hold): now + at_least, or its retry_interval when
// at_least is 0; a hold in force is extended, never shortened.
struct Hold {
  enum class Target { kQueue, kHost };
  Target target = Target::kQueue;
  std::chrono::seconds at_least{0};  // minimum; 0 = the queue's retry_interval
  bool to_delayed = false;           // also move the active queue to the delayed queue (dead domain)
  std::string host;                  // kHost only: the route host (applied by the connection
                                     // manager, ignored by the queue)
  std::string reason;                // why, for the one paniclog line
};

// One attempt's result: outcomes[i] belongs to the i-th recipient the agent
// was given, in the same order, always one per recipient. `hold` (kQueue) is
// applied by the queue after the outcomes; a kHost hold is the connection
// manager's and the queue ignores it. AttemptResult{outcomes} stays valid.
struct AttemptResult {
  std::vector<Outcome> outcomes;
  std::optional<Hold> hold = std::nullopt;
};

inline Outcome delivered(std::string reply, std::string remote_ip, std::uint64_t bytes_sent,
                         std::string remote_host = {}) {
  return Outcome{Disposition::kDelivered, Scope::kRecipient, std::move(reply), Stage::kReadingConfirmation,
                 std::move(remote_ip),  std::move(remote_host), bytes_sent, {}};
}

inline Outcome transient(std::string reply, Stage stage, Scope scope = Scope::kRecipient,
                         std::string remote_ip = {}, std::uint64_t bytes_sent = 0, std::string remote_host = {}) {
  return Outcome{Disposition::kTransient, scope, std::move(reply), stage, std::move(remote_ip),
                 std::move(remote_host),  bytes_sent, {}};
}

inline Outcome permanent(std::string reply, Stage stage, Scope scope = Scope::kRecipient,
                         std::string remote_ip = {}, std::uint64_t bytes_sent = 0, std::string remote_host = {}) {
  return Outcome{Disposition::kPermanent, scope, std::move(reply), stage, std::move(remote_ip),
                 std::move(remote_host),  bytes_sent, {}};
}

// Momentum's internal reply texts: one catalogue, in protocol/ so routing
// (which cannot depend on the queue) uses the same constants.
namespace internal_reply = ::impulse::protocol::internal_reply;

}  // namespace impulse::queue
