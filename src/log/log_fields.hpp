// Field-level formatting shared by Momentum's '@'-separated logs (mainlog,
// bouncelog) and the paniclog: timestamps, elapsed seconds, and the
// sanitiser that keeps every record on one line with a fixed field count.
//
// Sanitising (sanitize_field), applied to every text field of a record:
//   - each run of CR/LF (a multi-line SMTP reply) becomes one space;
//   - a tab becomes a space; other control octets (0x00-0x1f, 0x7f) become '?';
//   - '@', the field separator, becomes "%40" (so "<x@y>" in a reply is
//     logged as "<x%40y>"); '%' itself is not escaped, so this is for
//     reading, not a reversible encoding;
//   - octets >= 0x80 (UTF-8 text in replies) pass unchanged.
// Hence splitting a record on '@' always yields the documented field count.
//
// Leaves to others: record layouts (mainlog_format, bouncelog_format,
// paniclog_format); files (log_file).
// Threading: pure functions; safe from any thread.
// Failure modes: none.
// Spec: reference/momentum.md §10.1 (timestamps are Unix seconds, or 16-digit
// microseconds with log_hires_timestamp; elapsed seconds like "0.393").
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "base/clock.hpp"

namespace impulse::log {

// Momentum's log_hires_timestamp: seconds (default) or microseconds.
enum class TimestampStyle { kSeconds, kMicroseconds };

// Unix time of t: whole seconds ("1064868656"), or whole microseconds
// ("1064868656123456") for kMicroseconds. Times before 1970 print as 0.
std::string format_timestamp(WallTime t, TimestampStyle style);

// Seconds with millisecond precision and trailing zeros removed:
// 393 ms -> "0.393", 18530 ms -> "18.53", 5 s -> "5". Negative -> "0".
std::string format_elapsed(std::chrono::nanoseconds d);

// See the rules above.
std::string sanitize_field(std::string_view text);
// The same for free text that is not an `@`-separated field (the paniclog):
// CR/LF runs become one space, tabs a space, other controls '?', trailing
// spaces dropped; `@` is escaped as %40 only when escape_at.
std::string sanitize_line(std::string_view text, bool escape_at);

// Splits an envelope address at its last '@' into (local part, domain), as
// the log records want them. No '@' -> (address, ""); the null sender "" or
// "<>" -> ("", ""). Surrounding angle brackets are removed.
std::pair<std::string_view, std::string_view> split_address(std::string_view address);

}  // namespace impulse::log
