// Momentum's internal reply texts (reference/momentum.md §7.6, from
// Momentum's "responses by message" appendix): the replies Impulse itself
// writes for failures no remote server reported. Spelled exactly; log
// parsers and integration tests match on them. Texts Momentum lists without
// an SMTP code (the certificate checks) get 451, like the other 4.7.5 TLS
// texts. Constants only; used by routing (domain records) and the queue and
// delivery agents (queue/outcome.hpp re-exports them as internal_reply).
#pragma once

#include <string_view>

namespace impulse::protocol {

namespace internal_reply {

// Routing and DNS.
inline constexpr std::string_view kNoMxReachable =
    "421 4.4.0 [internal] no MXs for this domain could be reached at this time";
inline constexpr std::string_view kNoValidHosts = "451 4.4.1 [internal] No valid hosts";
inline constexpr std::string_view kNoValidHostsNoConnections =
    "451 4.4.1 [internal] No valid hosts (unable to make any connections)";
inline constexpr std::string_view kNoMxOrA = "454 4.4.4 [internal] no MX or A for domain";
inline constexpr std::string_view kNullMx = "550 5.4.4 [internal] NULL MX domain does not accept mail";
inline constexpr std::string_view kPrivateLoopback = "551 5.4.6 [internal] Private/Loopback Address";
inline constexpr std::string_view kDomainLookupFailed = "554 5.4.4 [internal] Domain Lookup Failed";
// Impulse's choice: Momentum publishes no text for a DNS failure before
// dns_failures_to_purge is reached; this is the 554 text made transient with
// RFC 3463's 4.4.3 (directory server failure).
inline constexpr std::string_view kDnsTemporaryFailure = "451 4.4.3 [internal] Domain Lookup Failed";

// Connection and session.
inline constexpr std::string_view kServiceUnavailable = "421 4.4.5 Service unavailable";
inline constexpr std::string_view kConcurrencyLimit = "421 4.4.5 Service unavailable, concurrency limit reached";
inline constexpr std::string_view kConnectionTimedOut = "450 4.4.1 [internal] Connection Timed Out";
inline constexpr std::string_view kNoBanner = "451 4.4.2 [internal] no banner";
inline constexpr std::string_view kSendHeloFailed = "451 4.4.2 [internal] send HELO/EHLO failed";
inline constexpr std::string_view kNoHeloResponse = "451 4.4.2 [internal] no HELO/EHLO response";
inline constexpr std::string_view kSendMailFromFailed = "451 4.4.2 [internal] send MAIL FROM failed";
inline constexpr std::string_view kNoMailFromResponse = "451 4.4.2 [internal] no MAIL FROM response";
inline constexpr std::string_view kMailFromArgsTooLong = "451 4.4.2 [internal] MAIL FROM arguments too long";
inline constexpr std::string_view kSendRcptToFailed = "451 4.4.2 [internal] send RCPT TO failed";
inline constexpr std::string_view kNoRcptToResponse = "451 4.4.2 [internal] no RCPT TO response";
inline constexpr std::string_view kRcptToArgsTooLong = "451 4.4.2 [internal] RCPT TO arguments too long";
inline constexpr std::string_view kSendDataFailed = "451 4.4.2 [internal] send DATA failed";
inline constexpr std::string_view kNoDataResponse = "451 4.4.2 [internal] no DATA response";
inline constexpr std::string_view kSendBodyFailed = "451 4.4.2 [internal] send BODY failed";
inline constexpr std::string_view kNoBodyResponse = "451 4.4.2 [internal] no BODY response";
inline constexpr std::string_view kSendRsetFailed = "451 4.4.2 [internal] send RSET failed";
inline constexpr std::string_view kNoRsetResponse = "451 4.4.2 [internal] no RSET response";
inline constexpr std::string_view kConnectionClosed = "451 4.4.2 [internal] connection closed by remote host";
inline constexpr std::string_view kSendXclientFailed = "451 4.4.2 [internal] send XCLIENT failed";
inline constexpr std::string_view kNoXclientResponse = "451 4.4.2 [internal] no XCLIENT response";
// Outbound SMTP AUTH (SPEC §19; Impulse's own texts, Momentum has none).
inline constexpr std::string_view kSendAuthFailed = "451 4.4.2 [internal] send AUTH failed";
inline constexpr std::string_view kNoAuthResponse = "451 4.4.2 [internal] no AUTH response";
inline constexpr std::string_view kAuthNotAdvertised = "451 4.7.0 [internal] AUTH mechanism not advertised";
inline constexpr std::string_view kAuthNeedsTls = "451 4.7.0 [internal] AUTH not sent without TLS to a remote host";

// TLS and XCLIENT requirements.
inline constexpr std::string_view kSendStartTlsFailed = "451 4.7.5 [internal] send STARTTLS failed";
inline constexpr std::string_view kNoTlsGoAhead = "451 4.7.5 [internal] no tls go-ahead";
inline constexpr std::string_view kTlsNegotiationFailed = "451 4.7.5 [internal] TLS negotiation failed";
inline constexpr std::string_view kStartTlsNotAdvertised =
    "451 4.7.6 [internal] STARTTLS required but not advertised";
inline constexpr std::string_view kXclientNotAdvertised = "451 4.7.6 [internal] XCLIENT required but not advertised";
inline constexpr std::string_view kCertNotSignedByCa = "451 4.7.5 [internal] SSL cert must be signed by a valid CA";
inline constexpr std::string_view kCertNameMismatch =
    "451 4.7.5 [internal] SSL cert common name does not match host";
// DANE (RFC 7672; delivery/smtp/dane_*): this prefix and the reason, e.g.
// "DANE: TLSA lookup for _25._tcp.mx.example bogus (...)" or
// "DANE: certificate of mx.example does not match TLSA _25._tcp.mx.example".
inline constexpr std::string_view kDanePrefix = "451 4.7.5 [internal] ";

// Queue lifetime (queue/retry_policy.hpp).
inline constexpr std::string_view kExceededMaxRetries = "554 5.4.7 [internal] exceeded max retries without delivery";
inline constexpr std::string_view kExceededMaxTime = "554 5.4.7 [internal] exceeded max time without delivery";
inline constexpr std::string_view kNotAttemptedExpired =
    "554 5.4.5 [internal] Delivery not attempted (message expired)";

// Administrative actions and policy.
inline constexpr std::string_view kManuallyPurged = "554 5.7.0 [internal] Message manually purged";  // fail domain
inline constexpr std::string_view kManuallyFailed = "554 manually failed";                          // message fail
inline constexpr std::string_view kManuallyDelayed = "451 4.4.1 [internal] manually delayed domain";
inline constexpr std::string_view kBlackholed = "554 5.7.0 [internal] Blackholed";
inline constexpr std::string_view kDiscardedByPolicy = "550 5.7.1 [internal] discarded by policy";

// Impulse's own agent failures (Momentum has no text for these; RFC 3463:
// 4.3.5 "system incorrectly configured", 4.3.0 "other mail system status").
// The configured Delivery_Method has no transport, or its settings are invalid.
inline constexpr std::string_view kMethodUnavailable = "451 4.3.5 [internal] delivery method not available";
// The spool could not give the body for an attempt.
inline constexpr std::string_view kBodyUnavailable = "451 4.3.0 [internal] message body unavailable";
// An exception escaped a delivery coroutine (a bug): its messages are retried.
inline constexpr std::string_view kAgentFailure = "451 4.3.0 [internal] delivery agent failure";
// The agent completed a job with fewer outcomes than recipients (a bug).
inline constexpr std::string_view kNoOutcome = "451 4.3.0 [internal] delivery agent reported no outcome";

// ECSTREAM (SPEC §15; docs/ecstream.md). Impulse's own texts: Momentum
// publishes none for its node-to-node protocol.
// Delivery_Method = ECSTREAM without a Gateway (routes are not used for it).
inline constexpr std::string_view kEcstreamNoGateway =
    "451 4.4.0 [internal] ECSTREAM delivers to a Gateway; none is configured";
// The receiver's GREETING never came, or it was not ECSTREAM (an SMTP server on the port).
inline constexpr std::string_view kEcstreamNoGreeting = "451 4.4.2 [internal] no ECSTREAM greeting";
// The receiver broke the protocol, or refused ours with an ERROR frame.
inline constexpr std::string_view kEcstreamProtocolError = "451 4.4.2 [internal] ECSTREAM protocol error";
// No REPLY within ECStream_Timeout.
inline constexpr std::string_view kEcstreamNoResponse = "451 4.4.2 [internal] no ECSTREAM response";
// Larger than the maximum the receiver announced: refused without sending it.
inline constexpr std::string_view kEcstreamTooBig =
    "552 5.3.4 [internal] message size exceeds the ECSTREAM receiver's maximum";

}  // namespace internal_reply

}  // namespace impulse::protocol
