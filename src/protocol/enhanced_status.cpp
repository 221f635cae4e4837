// Implementation of protocol/enhanced_status.hpp.
#include "protocol/enhanced_status.hpp"

#include <fmt/format.h>

namespace impulse::protocol {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..3 digits from s at pos; advances pos. Returns -1 if none or too many.
int read_number(std::string_view s, std::size_t& pos) {
  std::size_t start = pos;
  int value = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (pos - start == 3) return -1;
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos == start ? -1 : value;
}

bool is_token_end(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string EnhancedStatus::to_string() const { return fmt::format("{}.{}.{}", klass, subject, detail); }

std::optional<EnhancedStatus> parse_enhanced_status(std::string_view token) {
  if (token.size() < 5) return std::nullopt;
  std::size_t pos = 0;
  char c = token[pos++];
  if (c != '2' && c != '4' && c != '5') return std::nullopt;
  EnhancedStatus st;
  st.klass = c - '0';
  if (pos >= token.size() || token[pos++] != '.') return std::nullopt;
  st.subject = read_number(token, pos);
  if (st.subject < 0 || st.subject > kEnhancedMaxSubject) return std::nullopt;
  if (pos >= token.size() || token[pos++] != '.') return std::nullopt;
  st.detail = read_number(token, pos);
  if (st.detail < 0 || st.detail > kEnhancedMaxDetail) return std::nullopt;
  if (pos != token.size()) return std::nullopt;
  return st;
}

std::optional<int> parse_reply_code(std::string_view reply) {
  if (reply.size() < 3) return std::nullopt;
  if (reply[0] < '2' || reply[0] > '5' || !is_digit(reply[1]) || !is_digit(reply[2])) return std::nullopt;
  if (reply.size() > 3 && reply[3] != ' ' && reply[3] != '-' && !is_token_end(reply[3])) return std::nullopt;
  return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
}

std::optional<EnhancedStatus> extract_enhanced_status(std::string_view reply) {
  // First line only.
  auto eol = reply.find_first_of("\r\n");
  std::string_view line = reply.substr(0, eol);
  std::size_t pos = 0;
  if (parse_reply_code(line)) {
    pos = 3;
    if (pos < line.size() && (line[pos] == ' ' || line[pos] == '-')) ++pos;
  }
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  std::size_t end = pos;
  while (end < line.size() && !is_token_end(line[end])) ++end;
  return parse_enhanced_status(line.substr(pos, end - pos));
}

std::optional<EnhancedStatus> default_enhanced_status(int reply_code) {
  int klass = reply_code / 100;
  if (reply_code < 200 || reply_code > 599) return std::nullopt;
  if (klass != 2 && klass != 4 && klass != 5) return std::nullopt;
  return EnhancedStatus{klass, 0, 0};
}

std::optional<EnhancedStatus> status_of_reply(std::string_view reply) {
  auto code = parse_reply_code(reply);
  auto enhanced = extract_enhanced_status(reply);
  if (!code) return enhanced;
  if (enhanced && enhanced->klass == *code / 100) return enhanced;
  return default_enhanced_status(*code);
}

}  // namespace impulse::protocol
