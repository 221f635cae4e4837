// APNs response classification (SPEC §12 "Status -> outcome"; reference/
// protocols.md §4a): an HTTP/2 response's :status, JSON body
// ({"reason": "...", "timestamp": ms}) and Retry-After header become a
// verdict the APN transport acts on and delivery/push/push_outcome.hpp
// turns into an outcome; plus the Retry-After parser shared with GCM
// (RFC 9110 §10.2.3: delta-seconds or an HTTP-date in any of its three
// forms, §5.6.7).
//
//   200                       kDelivered            "200 Success"
//   400, 413                  kPermanent            "400 BadDeviceToken"
//   403 ExpiredProviderToken  kRenewToken           (renew, retry once)
//   403 other                 kCredentials          (transient, queue held)
//   404, 405                  kTransient            (configuration)
//   410                       kDeadToken            (permanent, class 10)
//   429, 500, other           kTransient
//   503 Shutdown              kRetryOnNewConnection
//   503 other                 kTransient
// response_text is "<status> <reason>": the JSON reason, else the HTTP
// reason phrase ("500 Internal Server Error"); reasons are cut to 200
// printable ASCII characters.
//
// Leaves to others: renewing the token and retrying, reconnecting, holding
// the queue (the transport and push_outcome).
// Threading: pure functions.
// Failure modes: none; a body that is not JSON or has no reason gives the
// HTTP reason phrase, an unreadable Retry-After gives nullopt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace impulse::protocol {

enum class ApnVerdictKind {
  kDelivered,
  kPermanent,
  kDeadToken,             // 410: the device token is dead (bounce class 10)
  kTransient,
  kCredentials,           // 403 other than ExpiredProviderToken
  kRenewToken,            // 403 ExpiredProviderToken
  kRetryOnNewConnection,  // 503 Shutdown
};

struct ApnVerdict {
  ApnVerdictKind kind = ApnVerdictKind::kTransient;
  std::string response_text;  // "410 Unregistered", "200 Success"
  std::optional<std::chrono::seconds> retry_after;
  std::string reason;  // the JSON reason alone ("" when none)
  // 410 only: when APNs learnt the token was invalid, ms since the epoch.
  std::optional<std::int64_t> invalid_since_ms;
};

ApnVerdict classify_apn_response(int status, std::string_view body_json,
                                 std::optional<std::string_view> retry_after_header, std::int64_t now_unix);

// Retry-After: delta-seconds, or an HTTP-date (IMF-fixdate, RFC 850, asctime)
// turned into the seconds from now_unix (0 when already past). Values are
// capped at ten years. nullopt when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now_unix);

// The HTTP reason phrase of a status (RFC 9110 §15), "" if unknown.
std::string_view http_reason_phrase(int status);

}  // namespace impulse::protocol
