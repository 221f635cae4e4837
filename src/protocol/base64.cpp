// Implementation of protocol/base64.hpp.
#include "protocol/base64.hpp"

namespace impulse::protocol {
namespace {

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

impulse::expected<std::string, std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned group = 0;   // bits collected
  int count = 0;        // sextets in the current group
  int padding = 0;      // '=' seen
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      if (count < 2 || ++padding + count > 4) return impulse::unexpected<std::string>("invalid base64 padding");
      continue;
    }
    const int v = sextet(c);
    if (v < 0 || padding > 0)
      return impulse::unexpected<std::string>("invalid base64 character at offset " + std::to_string(i));
    group = (group << 6) | static_cast<unsigned>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>((group >> 16) & 0xff));
      out.push_back(static_cast<char>((group >> 8) & 0xff));
      out.push_back(static_cast<char>(group & 0xff));
      group = 0;
      count = 0;
    }
  }
  if (padding > 0 && count + padding != 4) return impulse::unexpected<std::string>("invalid base64 padding");
  if (count == 1) return impulse::unexpected<std::string>("truncated base64 data");
  if (count == 2) {
    out.push_back(static_cast<char>((group >> 4) & 0xff));
  } else if (count == 3) {
    out.push_back(static_cast<char>((group >> 10) & 0xff));
    out.push_back(static_cast<char>((group >> 2) & 0xff));
  }
  return out;
}

std::string encode_base64(std::string_view bytes) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < bytes.size() ? kAlphabet[v >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace impulse::protocol
