// Implementation of log/log_fields.hpp.
#include "log/log_fields.hpp"

#include <fmt/format.h>

namespace impulse::log {

std::string format_timestamp(WallTime t, TimestampStyle style) {
  using namespace std::chrono;
  const auto since = t.time_since_epoch();
  if (since.count() < 0) return "0";
  if (style == TimestampStyle::kMicroseconds) return fmt::format("{}", duration_cast<microseconds>(since).count());
  return fmt::format("{}", duration_cast<seconds>(since).count());
}

std::string format_elapsed(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d.count() <= 0) return "0";
  const auto ms = duration_cast<milliseconds>(d).count();
  std::string out = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string sanitize_field(std::string_view text) { return sanitize_line(text, true); }

std::string sanitize_line(std::string_view text, bool escape_at) {
  std::string out;
  out.reserve(text.size());
  bool in_break = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      if (!in_break) out += ' ';
      in_break = true;
      continue;
    }
    in_break = false;
    if (c == '@' && escape_at)
      out += "%40";
    else if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c == 0x7f)
      out += '?';
    else
      out += ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();  // a reply's final CRLF
  return out;
}

std::pair<std::string_view, std::string_view> split_address(std::string_view address) {
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return {address, {}};
  return {address.substr(0, at), address.substr(at + 1)};
}

}  // namespace impulse::log
