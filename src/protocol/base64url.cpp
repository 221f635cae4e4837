// Implementation of protocol/base64url.hpp.
#include "protocol/base64url.hpp"

#include <cstdint>

namespace impulse::protocol {

std::string encode_base64url(std::string_view bytes) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    if (i + 1 < bytes.size()) out += kAlphabet[v >> 6 & 63];
    if (i + 2 < bytes.size()) out += kAlphabet[v & 63];
  }
  return out;
}

}  // namespace impulse::protocol
