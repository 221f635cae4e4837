// The signing domain's source for DKIM (RFC 6376 §3.11, SPEC §19): the
// domain of the first mailbox of the message's `From:` header field
// (RFC 5322 §3.6.2, §3.4), read from the header section of a message as
// injected (CRLF line ends; bare LF tolerated).
//
// Handles folding, comments, quoted display names and local parts, angle
// addresses and groups. Leaves the choice of the dkim_domain stanza to
// dkim_names.hpp and the signing itself to src/dkim/.
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_dkim_inputs.cpp).
// Failure modes: no From: field, several From: fields, or no domain that is
// a host name (letters, digits, '-', dots): an error text for the paniclog.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

// The header section of `message` (up to, not including, the empty line);
// the whole message when it has no body.
std::string_view dkim_header_section(std::string_view message);

// The unfolded value of the one `From:` field (CRLF/LF + WSP removed).
// Errors: "no From: header", "several From: headers".
impulse::expected<std::string, std::string> dkim_from_value(std::string_view message);

// The lower-cased domain of the first mailbox of `From:`, without a
// trailing dot. Errors as dkim_from_value, plus "From: has no domain" and
// "From: domain \"...\" is not a host name".
impulse::expected<std::string, std::string> dkim_from_domain(std::string_view message);

}  // namespace impulse::protocol
