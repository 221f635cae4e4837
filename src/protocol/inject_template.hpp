// Template substitution for Momentum's REST injector (reference/momentum.md
// §11.2; SPEC §16): `<%= :key %>` and `[%= :key %]` placeholders in the
// template are replaced by the recipient's value for `key`. Spaces around
// "=" and before "%" are optional (`<%=:key%>`); a key is letters, digits,
// '_', '-' and '.'. Text that only looks like the start of a placeholder
// (`<%` without a well-formed end) is copied unchanged. A well-formed
// placeholder whose key has no value is an error: the REST injector
// injects all recipients or none, so the caller refuses the whole request.
//
// normalise_crlf() makes the result what queue::Injection::data expects:
// CRLF line ends (bare LF and bare CR become CRLF, as Momentum normalises
// the template), ending in CRLF unless empty; no dot-stuffing (the
// delivery side does that).
//
// Pure: no I/O, no state, any thread; fuzzed (tests/fuzz/
// fuzz_protocol_rest_inject.cpp). Builds with clang 14 (no <format>).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

// Key -> value, looked up in order (the first match wins).
using TemplateKeys = std::vector<std::pair<std::string, std::string>>;

// The template with every placeholder replaced, or the text of the first
// problem ("no value for template key 'name'").
impulse::expected<std::string, std::string> substitute_template(std::string_view text, const TemplateKeys& keys);

// CRLF line ends, a final CRLF added when missing (empty stays empty).
std::string normalise_crlf(std::string_view text);

}  // namespace impulse::protocol
