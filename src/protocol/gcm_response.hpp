// GCM / FCM response classification (SPEC §13 "Status -> outcome";
// reference/protocols.md §5a, §5b): the HTTP status, JSON body and
// Retry-After header of one FCM HTTP v1 or legacy response become a verdict
// that delivery/push/push_outcome.hpp turns into an outcome.
//
// FCM v1, from error.details[].errorCode (the FcmError detail), else the
// HTTP status:
//   200                                  kDelivered   "200 projects/p/messages/1"
//   INVALID_ARGUMENT / 400               kPermanent   "400 INVALID_ARGUMENT"
//   UNREGISTERED                         kDeadToken   "404 UNREGISTERED"
//   SENDER_ID_MISMATCH / 403             kPermanent
//   QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL / 429, 500, 503
//                                        kTransient   (Retry-After honoured)
//   THIRD_PARTY_AUTH_ERROR / 401         kCredentials
//   403 whose error.status is PERMISSION_DENIED or UNAUTHENTICATED without
//   an FCM code                          kCredentials (the account, not the token)
//   404 without an FCM code              kTransient   (a wrong project or
//                                        path must not mark tokens dead)
//   anything else                        kTransient
// Legacy, from results[0] of a 200 answer, else the HTTP status:
//   {"message_id"}                       kDelivered   "200 0:1234" (a
//                                        "registration_id" is the canonical token)
//   NotRegistered, InvalidRegistration   kDeadToken   "200 NotRegistered"
//   Unavailable, InternalServerError, DeviceMessageRateExceeded,
//   TopicsMessageRateExceeded            kTransient
//   any other error                      kPermanent
//   200 without a readable result        kTransient
//   400 kPermanent; 401 kCredentials; 5xx and others kTransient
// response_text is "<status> <code or reason>", one printable line (codes
// and ids cut to 200 characters).
//
// Leaves to others: renewing the OAuth token and retrying, holding the
// queue, logging the canonical token (the GCM transport, push_outcome).
// Threading: pure functions.
// Failure modes: none; an unreadable body falls back on the HTTP status, an
// unreadable Retry-After gives nullopt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace impulse::protocol {

enum class GcmVerdictKind { kDelivered, kPermanent, kDeadToken, kTransient, kCredentials };

struct GcmVerdict {
  GcmVerdictKind kind = GcmVerdictKind::kTransient;
  std::string response_text;  // "404 UNREGISTERED", "200 NotRegistered"
  std::optional<std::chrono::seconds> retry_after;
  std::string error_code;       // "UNREGISTERED", "NotRegistered" ("" when none)
  std::string message_id;       // v1 "name" / legacy "message_id" on success
  std::string canonical_token;  // legacy results[0].registration_id
};

GcmVerdict classify_fcm_v1_response(int status, std::string_view body_json,
                                    std::optional<std::string_view> retry_after_header, std::int64_t now_unix);

GcmVerdict classify_gcm_legacy_response(int status, std::string_view body_json,
                                        std::optional<std::string_view> retry_after_header, std::int64_t now_unix);

}  // namespace impulse::protocol
