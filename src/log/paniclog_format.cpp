// Implementation of log/paniclog_format.hpp.
#include "log/paniclog_format.hpp"

namespace impulse::log {

std::string format_panic(WallTime t, std::string_view text, TimestampStyle ts) {
  std::string out = format_timestamp(t, ts);
  out += ':';
  bool in_break = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      if (!in_break) out += ' ';
      in_break = true;
      continue;
    }
    in_break = false;
    if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c == 0x7f)
      out += '?';
    else
      out += ch;
  }
  while (out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace impulse::log
