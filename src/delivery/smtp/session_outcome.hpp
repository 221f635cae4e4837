// The one place where the SMTP/LMTP client turns what happened into
// queue::Outcome values (docs/architecture.md rule 4; SPEC §4 last paragraph;
// reference/momentum.md §6 stage codes and §7.6 [internal] texts).
//
// Two inputs:
//   - a reply to a command (map_reply): 2xx delivered, 4xx transient,
//     5xx permanent, with the reply as received; except that a reply in the
//     connection set-up (banner, EHLO/HELO/LHLO, STARTTLS, XCLIENT, RSET) is
//     never a verdict on the message: it is always transient (host-level);
//     and that a 552 to RCPT is transient (RFC 5321 §4.5.3.1.10);
//   - a failure without a usable reply (map_failure): a deadline, the peer
//     closing, a failed write, a malformed reply, a connect or TLS failure,
//     a required extension missing: always transient, with Momentum's exact
//     [internal] text for the phase:
//
//     phase          timeout / bad reply      write failed             stage
//     banner         no banner                -                        12
//     hello          no HELO/EHLO response    send HELO/EHLO failed    10
//     starttls       no tls go-ahead          send STARTTLS failed     15
//     tls handshake  TLS negotiation failed   TLS negotiation failed   17
//     xclient        no XCLIENT response      send XCLIENT failed      19
//     mail from      no MAIL FROM response    send MAIL FROM failed     2
//     rcpt to        no RCPT TO response      send RCPT TO failed       4
//     data           no DATA response         send DATA failed          6
//     body           send BODY failed         send BODY failed          8
//     confirmation   no BODY response         -                         9
//     rset           no RSET response         send RSET failed         13
//   The peer closing (EOF, reset, broken pipe) is "connection closed by
//   remote host" at the phase's stage; a connect timeout "Connection Timed
//   Out", any other connect failure "No valid hosts (unable to make any
//   connections)", stage 0.
//
// Scopes: connection-level failures are Scope::kHost (the connection
// manager may quarantine the address and try another), a MAIL/DATA/dot
// reply Scope::kMessage, a RCPT reply (and LMTP's per-recipient dot reply)
// Scope::kRecipient, as the caller says.
// Pure functions; any thread; cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "delivery/smtp/reply_reader.hpp"
#include "queue/outcome.hpp"

namespace impulse::delivery::smtp {

enum class Phase {
  kConnect,
  kBanner,
  kHello,
  kStartTls,
  kTlsHandshake,
  kXclient,
  kAuth,  // outbound SMTP AUTH (smtp_auth.cpp): a set-up phase, never a verdict on the message
  kMailFrom,
  kRcptTo,
  kData,
  kBody,
  kConfirmation,
  kRset,
  kIdle,
};

enum class FailureKind {
  kTimeout,                 // the phase's deadline passed
  kClosed,                  // EOF, reset or broken pipe from the peer
  kSendFailed,              // a write failed otherwise (or timed out)
  kBadReply,                // the reply could not be parsed (stream out of step)
  kRejected,                // the server refused (reply holds its answer)
  kConnectTimeout,          // connect_timeout passed
  kConnectFailed,           // refused, unreachable, bind_address unusable
  kTlsFailed,               // handshake failed, or bytes injected before it
  kCertUntrusted,           // tls_verify ca/host: chain does not verify
  kCertNameMismatch,        // tls_verify host: no name matches
  kStartTlsNotAdvertised,   // tls = required
  kXclientNotAdvertised,    // xclient = required
  kArgumentsTooLong,        // MAIL FROM / RCPT TO path not sendable
  kAuthUnavailable,         // AUTH configured but not advertised, or not over TLS to a remote host
  kDane,                    // DANE refused the host (lookup failed, certificate matches no TLSA): reply holds the text
};

struct SessionFailure {
  Phase phase = Phase::kConnect;
  FailureKind kind = FailureKind::kClosed;
  std::string reply;   // kRejected: the reply as received
  std::string detail;  // for logs: errno text, OpenSSL reason, reply error
};

// Where the outcome was produced, stamped on every outcome.
struct OutcomeContext {
  std::string remote_ip;
  std::string remote_host;
  std::uint64_t bytes_sent = 0;
};

queue::Stage stage_of(Phase phase);

queue::Outcome map_reply(Phase phase, const Reply& reply, queue::Scope scope, const OutcomeContext& context);
queue::Outcome map_failure(const SessionFailure& failure, const OutcomeContext& context);

// A DANE refusal (RFC 7672; dane_lookup, smtp_connection): transient,
// host-level, "451 4.7.5 [internal] <reason>" at the phase's stage. Both
// callers use kTlsHandshake (17): a mismatch after the handshake, and a
// failed TLSA lookup before connecting (the TLS set-up of that host failed;
// a stage-0 open failure would be reported as "no MXs could be reached").
SessionFailure dane_failure(Phase phase, std::string reason);

// The [internal] text map_failure uses (tests and logs).
std::string_view failure_text(const SessionFailure& failure);

}  // namespace impulse::delivery::smtp
