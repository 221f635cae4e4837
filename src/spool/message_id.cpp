// Implementation of spool/message_id.hpp.
#include "spool/message_id.hpp"

namespace impulse::spool {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

void append_hex(std::string& out, std::uint64_t value, int min_digits) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kHexDigits[value & 0xF];
    value >>= 4;
  } while (value != 0);
  while (n < min_digits) buf[n++] = '0';
  while (n > 0) out.push_back(buf[--n]);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Parses all of `s` as hex into `out`; false if empty, too long or not hex.
bool parse_hex(std::string_view s, std::size_t max_digits, std::uint64_t& out) {
  if (s.empty() || s.size() > max_digits) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = hex_value(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  out = v;
  return true;
}

}  // namespace

std::string MessageId::to_string() const {
  std::string out;
  out.reserve(20);
  append_hex(out, epoch, 8);
  out.push_back('-');
  append_hex(out, lane, 2);
  out.push_back('-');
  append_hex(out, seq, 8);
  return out;
}

Result<MessageId> MessageId::parse(std::string_view text) {
  auto bad = [&] { return fail("malformed message id '" + std::string(text.substr(0, 64)) + "'"); };
  // EEEEEEEE-LL-S{8,16}
  if (text.size() < 20 || text.size() > 28 || text[8] != '-' || text[11] != '-') return bad();
  std::string_view seq_text = text.substr(12);
  if (seq_text.size() > 8 && seq_text[0] == '0') return bad();  // not canonical
  std::uint64_t epoch = 0, lane = 0, seq = 0;
  if (!parse_hex(text.substr(0, 8), 8, epoch) || !parse_hex(text.substr(9, 2), 2, lane) ||
      !parse_hex(seq_text, 16, seq))
    return bad();
  return MessageId{static_cast<std::uint32_t>(epoch), static_cast<std::uint8_t>(lane), seq};
}

MessageId::Key MessageId::to_key() const {
  Key k{};
  for (int i = 0; i < 4; ++i) k[i] = static_cast<char>(epoch >> (24 - 8 * i));
  k[4] = static_cast<char>(lane);
  for (int i = 0; i < 8; ++i) k[5 + i] = static_cast<char>(seq >> (56 - 8 * i));
  return k;
}

Result<MessageId> MessageId::from_key(std::string_view key) {
  if (key.size() != kKeySize) return fail("spool key has " + std::to_string(key.size()) + " bytes, expected 13");
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(key[i]); };
  MessageId id;
  for (int i = 0; i < 4; ++i) id.epoch = (id.epoch << 8) | byte(i);
  id.lane = byte(4);
  for (int i = 0; i < 8; ++i) id.seq = (id.seq << 8) | byte(5 + i);
  return id;
}

}  // namespace impulse::spool
