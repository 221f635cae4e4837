// Channel messages (SPEC §11): finding the part of a message that a push or
// MMS channel delivers, and who its recipient is. Every channel transport
// (APN, GCM, MM7) uses this one parser (docs/architecture.md "Life of a
// message": channel messages are parsed by one pure component).
//
// The channel part of a message:
//   1. MCMT (top-level `Content-Type: multipart/vnd.msys.mcmt; boundary=..`):
//      the first MIME part, in document order (nested multiparts searched
//      depth first, message/rfc822 parts never entered), whose type is the
//      channel's: message/vnd.msys.apn, message/vnd.msys.gcm, or
//      multipart/vnd.msys.mm7 / message/vnd.msys.mm7. Its own header block
//      holds the channel headers (X-Device-Token, X-APNs-*, ...) beside its
//      Content-Type; its body decoded per its Content-Transfer-Encoding is
//      the payload.
//   2. Any other message: its top-level headers and its body (one final
//      line break, the end of the last line as SMTP carries it, is not part
//      of the payload).
// MCMT (reference/momentum.md §9.1) also carries one message/rfc822 part,
// what email recipients receive when the listener accepted the message
// with MCMT_Reception = allow (mcmt_email_part, check_mcmt_structure).
//
// Leaves to others: what the payload must be (the channel's request
// builder: protocol/apn_request.hpp, ...), turning an error into the
// `554 5.6.0 [internal] <why>` outcome (delivery/push/push_outcome.hpp).
// Threading: pure functions; ChannelPart is a plain value.
// Failure modes: every function returns the "<why>" text of
// `554 5.6.0 [internal] <why>` for a message without the part, a malformed
// MCMT structure (see protocol/channel_part_mime.hpp) or an undecodable
// part. Nesting deeper than kMaxMimeDepth is refused, not recursed into.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class Channel { kApn, kGcm, kMm7 };

inline constexpr std::size_t kMaxMimeDepth = 8;
inline constexpr std::string_view kMcmtType = "multipart/vnd.msys.mcmt";

struct ChannelPart {
  // The part's own header block (or the message's top-level headers),
  // unfolded, values trimmed; names as written.
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded per Content-Transfer-Encoding (7bit, 8bit, binary,
  // quoted-printable, base64).
  std::string payload;
  // The part's Content-Type value as written ("" when absent).
  std::string content_type;
  // Case-insensitive, first match.
  std::optional<std::string_view> header(std::string_view name) const;
};

// "message/vnd.msys.apn" ...; for kMm7 the multipart one.
std::string_view channel_content_type(Channel channel);

impulse::expected<ChannelPart, std::string> find_channel_part(std::string_view message, Channel channel);

// True when the top-level Content-Type is multipart/vnd.msys.mcmt.
bool is_mcmt(std::string_view message);

// The message/rfc822 part of an MCMT message, decoded, ending in CRLF:
// what email recipients receive (MCMT_Reception allow).
impulse::expected<std::string, std::string> mcmt_email_part(std::string_view message);

// The structure check of MCMT_Reception allow at the end of DATA: every
// part's headers and transfer encoding readable (nested multiparts too)
// and a message/rfc822 part present.
impulse::expected<void, std::string> check_mcmt_structure(std::string_view message);

// The APN device token (SPEC §11 "Who a recipient is"): the part's
// X-Device-Token header, else the recipient's local part; hexadecimal, even
// length, 16-200 digits. Returned as written (trimmed).
impulse::expected<std::string, std::string> apn_device_token(const ChannelPart& part, std::string_view local_part);

}  // namespace impulse::protocol
