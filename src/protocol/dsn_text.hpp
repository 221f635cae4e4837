// Text helpers for building RFC 5322 / MIME messages that Impulse generates
// (DSN bounces): dates, safe single-line field values, folding, CRLF
// normalisation, content scanning and quoted-printable encoding.
//
// Leaves to others: the message layout (protocol/dsn.hpp); parsing received
// messages (not done by Impulse).
// Threading: pure functions; safe from any thread.
// Failure modes: none; every input produces some output. Values that cannot
// be represented are replaced (see each function), never rejected.
// Spec: RFC 5322 §3.3 (date-time), §2.1.1 (998-octet lines), §2.2.3
// (folding); RFC 2045 §6.7 (quoted-printable); RFC 2046 §5.1.1 (boundaries).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"

namespace impulse::protocol {

inline constexpr std::size_t kMaxLineOctets = 998;  // RFC 5322 §2.1.1, without CRLF
inline constexpr std::size_t kFoldColumn = 78;      // RFC 5322 "SHOULD" line length

// "Tue, 14 Nov 2023 22:13:20 +0000": RFC 5322 date-time, always in UTC so
// the output does not depend on the host's time zone.
std::string format_rfc5322_date(WallTime t);

// One line of printable US-ASCII for a header field or a DSN field: CR/LF
// runs (multi-line SMTP replies) become one space, tabs become spaces, other
// control characters and 8-bit octets become '?', ends are trimmed.
std::string header_safe(std::string_view text);

// "Name: value" + CRLF, folded at spaces so lines stay within kFoldColumn
// where the value allows it; a word longer than kMaxLineOctets is split
// hard. The value should already be header_safe().
std::string fold_field(std::string_view name, std::string_view value);

// Bare LF and bare CR become CRLF; existing CRLF is kept.
std::string normalize_crlf(std::string_view text);

struct ContentScan {
  bool eight_bit = false;        // an octet >= 0x80
  bool nul = false;              // a NUL octet
  std::size_t longest_line = 0;  // octets, without CRLF
};
// Scans CRLF text (as produced by normalize_crlf).
ContentScan scan_content(std::string_view crlf_text);

// True when crlf_text may travel as "7bit" (RFC 2045 §2.7).
bool is_7bit_clean(const ContentScan& s);
// True when crlf_text may travel as "8bit" (RFC 2045 §2.8).
bool is_8bit_clean(const ContentScan& s);

// Quoted-printable encoding of CRLF text; hard line breaks are kept as CRLF,
// encoded lines are at most 76 octets.
std::string quoted_printable(std::string_view crlf_text);

// The header section of a CRLF message: every line before the first empty
// line, each with its CRLF. A message without an empty line is all header.
std::string_view header_section(std::string_view crlf_message);

// The unfolded, trimmed value of the first header field called name
// (case-insensitive) in a header section, or nullopt.
std::optional<std::string> find_header(std::string_view headers, std::string_view name);

}  // namespace impulse::protocol
