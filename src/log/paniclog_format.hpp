// Paniclog lines: free-form diagnostics, one event per line, in Momentum's
// paniclog shape:
//
//   <time>:<text>        e.g. 1307461172:mainlog /var/log/impulse/mainlog: write failed: No space left on device
//
// time: Unix seconds (or microseconds with log_hires_timestamp), immediately
// followed by ':' and the text (no space, as in Momentum's documented
// example "1307461172:192.168.0.197 \"POST ...\" 200 224 5.000"). The text
// names its subject first (docs/architecture.md rule 10: message id,
// connection id, domain, file). CR/LF runs in the text become one space and other control
// octets '?', so an event is always exactly one line; '@' is kept (the
// paniclog is not '@'-separated). A parser splits at the first ':'.
//
// Leaves to others: files (log/log_file.hpp), the writer (log/paniclog.hpp).
// Threading: pure; safe from any thread.
// Failure modes: none.
// Spec: reference/momentum.md §10.1 (paniclog: free-form, Debug_Flags).
#pragma once

#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "log/log_fields.hpp"

namespace impulse::log {

std::string format_panic(WallTime t, std::string_view text, TimestampStyle ts = TimestampStyle::kSeconds);

}  // namespace impulse::log
