// The MIME pieces under the channel-part finder (protocol/channel_part.hpp):
// splitting an entity into its unfolded header block and its body (RFC 5322
// §2.2, §2.2.3), reading a Content-Type value (RFC 2045 §5.1, comments and
// quoted strings included), splitting a multipart body at its boundary
// (RFC 2046 §5.1.1: the line break before a delimiter belongs to it,
// transport padding after it is ignored, preamble and epilogue dropped) and
// decoding a Content-Transfer-Encoding (RFC 2045 §6: 7bit, 8bit, binary,
// quoted-printable, base64).
//
// Leaves to others: which part is the channel part and what its headers mean
// (channel_part.hpp); RFC 2231 parameter continuations and encoded words
// (no channel header needs them).
// Threading: pure functions over the caller's bytes; the string_views they
// return point into the input, which must outlive them.
// Failure modes: an error text (the "<why>" of `554 5.6.0 [internal] <why>`)
// for a header line without a colon or a continuation with nothing to
// continue, a multipart body without its boundary or its closing delimiter
// or without parts, an unknown transfer encoding and undecodable
// quoted-printable or base64. Line ends may be CRLF or bare LF.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A header block and what follows the blank line after it.
struct MimeEntity {
  HeaderList headers;     // names as written, values unfolded and trimmed
  std::string_view body;  // everything after the blank line ("" if none)
};

// Case-insensitive, first match.
std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name);

// Splits `text` at the first empty line. Text with no empty line is all
// header block. A block may be empty (a part that starts with a blank line).
impulse::expected<MimeEntity, std::string> split_entity(std::string_view text);

struct ContentType {
  std::string type;  // "multipart/vnd.msys.mcmt", lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased, values unquoted
  std::optional<std::string_view> param(std::string_view name) const;
  bool is_multipart() const { return type.starts_with("multipart/"); }
};

// nullopt when the value has no type/subtype.
std::optional<ContentType> parse_content_type(std::string_view value);

// The body parts of a multipart body, in order (each part's headers and
// body, without the delimiter lines).
impulse::expected<std::vector<std::string_view>, std::string> split_multipart(std::string_view body,
                                                                               std::string_view boundary);

// Decodes `body` per `encoding` (the Content-Transfer-Encoding value; ""
// means 7bit).
impulse::expected<std::string, std::string> decode_transfer_encoding(std::string_view body,
                                                                     std::string_view encoding);

// Quoted-printable alone (RFC 2045 §6.7): soft line breaks joined, trailing
// white space of each line dropped, hard line breaks kept as written.
impulse::expected<std::string, std::string> decode_quoted_printable(std::string_view text);

}  // namespace impulse::protocol
