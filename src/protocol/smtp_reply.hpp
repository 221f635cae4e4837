// SMTP reply formatting for the server side (RFC 5321 §4.2; enhanced status
// codes RFC 2034/3463): one reply, single- or multi-line, as wire bytes.
//
// Leaves to callers: which code and text to answer (the ESMTP session
// decides). Pure functions, no state, usable from any thread.
//
// Failure modes: none. Text is sanitised instead of rejected: CR, LF and
// other control characters become spaces (so a reason string taken from
// elsewhere, e.g. a spool error, can never inject an extra reply line), and
// each line is cut so that it fits the 512-octet reply line limit
// (RFC 5321 §4.5.3.1.5). An empty line list gives a bare "NNN" line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace impulse::protocol {

// Longest reply line, CRLF included (RFC 5321 §4.5.3.1.5).
inline constexpr std::size_t kMaxReplyLine = 512;

// "250 2.1.0 Ok\r\n". `enhanced` may be empty (greeting, EHLO keywords).
std::string format_reply(int code, std::string_view enhanced, std::string_view text);

// Multi-line: every line but the last is "NNN-", the last "NNN ". With an
// enhanced code, it prefixes every line (RFC 2034 §3).
std::string format_reply(int code, std::string_view enhanced, const std::vector<std::string>& lines);

}  // namespace impulse::protocol
