// Implementation of protocol/smtp_reply.hpp.
#include "protocol/smtp_reply.hpp"

namespace impulse::protocol {
namespace {

void append_line(std::string& out, int code, char sep, std::string_view enhanced, std::string_view text) {
  const std::size_t start = out.size();
  // The code is always three digits; clamp anything else so the wire format holds.
  if (code < 100 || code > 999) code = 500;
  out += static_cast<char>('0' + code / 100);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  std::string body;
  if (!enhanced.empty()) {
    body.append(enhanced);
    if (!text.empty()) body += ' ';
  }
  body.append(text);
  if (!body.empty() || sep == '-') out += sep;
  for (char c : body) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  const std::size_t max_without_crlf = kMaxReplyLine - 2;
  if (out.size() - start > max_without_crlf) out.resize(start + max_without_crlf);
  out += "\r\n";
}

}  // namespace

std::string format_reply(int code, std::string_view enhanced, std::string_view text) {
  std::string out;
  append_line(out, code, ' ', enhanced, text);
  return out;
}

std::string format_reply(int code, std::string_view enhanced, const std::vector<std::string>& lines) {
  std::string out;
  if (lines.empty()) {
    append_line(out, code, ' ', enhanced, {});
    return out;
  }
  for (std::size_t i = 0; i < lines.size(); ++i)
    append_line(out, code, i + 1 == lines.size() ? ' ' : '-', enhanced, lines[i]);
  return out;
}

}  // namespace impulse::protocol
