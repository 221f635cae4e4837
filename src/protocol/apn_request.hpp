// APNs request builder (SPEC §12; reference/protocols.md §4a): the path,
// apns-* headers and body of one `POST /3/device/<token>` for one
// recipient, from its channel part (protocol/channel_part.hpp) and the
// domain's APN_* options.
//
// Header rules: each header comes from the part's X-APNs-* header, else the
// option, else it is omitted. apns-push-type defaults to "alert";
// apns-expiration is X-APNs-Expiration (absolute Unix seconds) as given,
// else now + APN_Expiry when APN_Expiry > 0; apns-id is always sent.
// Payload checks before anything is sent: the body is the payload byte
// for byte; it must be a JSON object of at most 4096 bytes (5120 when the
// push type is voip); with token authentication a topic is required.
//
// Leaves to others: the authorization header (delivery/apn/provider_token.hpp),
// HTTP/2 framing and the :method/:scheme/:authority pseudo-headers (the
// transport), who the device is (apn_device_token).
// Threading: pure functions.
// Failure modes: an error text (the "<why>" of `554 5.6.0 [internal] <why>`,
// a permanent failure without a request) for a payload that is not a JSON
// object, too large, a missing topic under token auth, a push type, priority
// or expiration that cannot go in a header (not a number, line breaks).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "protocol/channel_part.hpp"

namespace impulse::protocol {

inline constexpr std::size_t kApnMaxPayload = 4096;
inline constexpr std::size_t kApnMaxVoipPayload = 5120;

struct ApnOptions {
  std::string topic;                 // APN_Topic
  std::string push_type = "alert";  // APN_Push_Type
  std::string priority;              // APN_Priority ("" = not sent)
  std::int64_t expiry_seconds = 0;   // APN_Expiry, relative; 0 = not sent
  bool token_auth = false;           // APN_Key_File set: a topic is required
};

struct ApnRequest {
  std::string path;  // "/3/device/<token>"
  // In this order, those that apply: apns-topic, apns-push-type,
  // apns-priority, apns-collapse-id, apns-expiration, apns-id.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;     // the payload, byte for byte
  std::string apns_id;  // also in headers; for the logs
  std::string push_type;  // the one sent
};

impulse::expected<ApnRequest, std::string> build_apn_request(const ChannelPart& part, std::string_view device_token,
                                                             const ApnOptions& options, std::int64_t now_unix,
                                                             std::string apns_id);

// A lower-case UUID version 4 (8-4-4-4-12) from two 64-bit random draws
// (the caller's generator, e.g. a std::mt19937_64 seeded from
// std::random_device, owned by its event loop).
std::string new_apns_id(const std::function<std::uint64_t()>& random64);

// The same, from 16 given bytes (version and variant bits are set here).
std::string format_uuid_v4(const std::uint8_t (&bytes)[16]);

}  // namespace impulse::protocol
