// The DKIM-Signature header field as it is prepended to a message (RFC 6376
// §3.5): "DKIM-Signature: " + the tag list the signer produced, its folds
// turned into CRLF + WSP and a final CRLF, ready to sit above the other
// header fields.
// Leaves the tag list (v=, a=, b=, ...) to the signer (libopendkim, in
// src/dkim/dkim_signer.cpp), which folds it with bare LFs.
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_dkim_inputs.cpp).
// Failure modes: a value with a control character other than the folds, a
// line that does not continue with WSP, or an empty value: an error text
// (the message then goes unsigned, never with a broken header).
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

inline constexpr std::string_view kDkimSignatureName = "DKIM-Signature";

impulse::expected<std::string, std::string> dkim_signature_field(std::string_view value);

}  // namespace impulse::protocol
