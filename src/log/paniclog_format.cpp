// Implementation of log/paniclog_format.hpp.
#include "log/paniclog_format.hpp"

#include "log/log_fields.hpp"

namespace impulse::log {

std::string format_panic(WallTime t, std::string_view text, TimestampStyle ts) {
  std::string out = format_timestamp(t, ts);
  out += ':';
  out += sanitize_line(text, false);
  return out;
}

}  // namespace impulse::log
