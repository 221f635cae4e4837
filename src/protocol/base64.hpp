// Strict base64 decoding (RFC 4648 §4, the standard alphabet with '='
// padding), for content a client sends as base64 (the HTTP API's
// `content_base64`, SPEC §16). Line breaks (CR, LF) and spaces between
// groups are ignored, as MIME-wrapped input has them; anything else outside
// the alphabet, bad padding or a truncated final group is an error.
// Pure: no I/O, any thread; fuzzed with the REST request parser.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

// The decoded bytes, or what was wrong ("invalid base64 character at offset 12").
impulse::expected<std::string, std::string> decode_base64(std::string_view text);

// Standard base64 with '=' padding, on one line (SMTP AUTH, RFC 4954).
std::string encode_base64(std::string_view bytes);

}  // namespace impulse::protocol
