// Implementation of protocol/base64url.hpp: base64 (protocol/base64.hpp)
// with the URL-safe alphabet and without padding.
#include "protocol/base64url.hpp"

#include "protocol/base64.hpp"

namespace impulse::protocol {

std::string encode_base64url(std::string_view bytes) {
  std::string out = encode_base64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

}  // namespace impulse::protocol
