// GCM / FCM request builder (SPEC §13 "Request body"; reference/protocols.md
// §5a, §5b; reference/momentum.md §9.3): the registration token of one
// recipient, and the JSON body of one FCM HTTP v1 `messages:send` request
// or one legacy `POST <http_uri>` request, from the recipient's channel part
// (protocol/channel_part.hpp) and the domain's GCM_* options.
//
// The channel part's payload must be a JSON object of at most 4096 bytes.
//   v1: a top-level "message" object is sent as the v1 message with
//       "token" set to the recipient's token (a "topic" or "condition" in it
//       is refused: a recipient is one token); any other object is the
//       message's "data" map, non-string values JSON-encoded as strings
//       (data values must be strings). X-Time-To-Live / GCM_TTL (>= 0) ->
//       android.ttl "<n>s", X-Collapse-Key -> android.collapse_key,
//       X-Dry-Run / GCM_Dry_Run -> validate_only; each only when the
//       payload does not set the field itself.
//   legacy: {"to": token, "data": object} plus time_to_live
//       (X-Time-To-Live / GCM_TTL when >= 0), delay_while_idle
//       (X-Delay-While-Idle / GCM_Delay_While_Idle), restricted_package_name
//       (X-Application-ID / GCM_Application_ID), collapse_key
//       (X-Collapse-Key), dry_run (X-Dry-Run / GCM_Dry_Run).
// Headers win over options; a boolean header is true/false, yes/no or 1/0.
//
// Leaves to others: the authorization header and the path (the GCM
// transport), who the token belongs to beyond the header / local part rule.
// Threading: pure functions.
// Failure modes: an error text (the "<why>" of `554 5.6.0 [internal] <why>`,
// a permanent failure without a request): an empty payload, one that is not
// a JSON object or is over 4096 bytes, a "message" that is not an object or
// names a topic or condition, an unreadable X-Time-To-Live or boolean
// header, an empty or unusable registration token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::protocol {

inline constexpr std::size_t kGcmMaxPayload = 4096;
inline constexpr std::int64_t kGcmMaxTtl = 2419200;  // four weeks

struct GcmOptions {
  std::int64_t ttl = -1;          // GCM_TTL; -1 = not sent
  bool dry_run = false;           // GCM_Dry_Run
  bool delay_while_idle = false;  // GCM_Delay_While_Idle (legacy only)
  std::string application_id;     // GCM_Application_ID (legacy restricted_package_name)
};

// SPEC §11 "Who a recipient is": X-Registration-ID, else the local part;
// trimmed, 1-4096 printable ASCII characters without spaces.
impulse::expected<std::string, std::string> gcm_registration_token(const ChannelPart& part,
                                                                   std::string_view local_part);

// The body of POST /v1/projects/<id>/messages:send.
impulse::expected<std::string, std::string> build_fcm_v1_body(const ChannelPart& part, std::string_view token,
                                                              const GcmOptions& options);

// The body of the legacy POST <http_uri>.
impulse::expected<std::string, std::string> build_gcm_legacy_body(const ChannelPart& part, std::string_view token,
                                                                  const GcmOptions& options);

// "/v1/projects/<project_id>/messages:send" (the id percent-encoded where needed).
std::string fcm_v1_path(std::string_view project_id);

}  // namespace impulse::protocol
