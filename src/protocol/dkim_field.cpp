// Implementation of protocol/dkim_field.hpp.
#include "protocol/dkim_field.hpp"

namespace impulse::protocol {

impulse::expected<std::string, std::string> dkim_signature_field(std::string_view value) {
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return impulse::unexpected(std::string("empty DKIM-Signature value"));
  std::string out;
  out.reserve(kDkimSignatureName.size() + 2 + value.size() + value.size() / 64 + 2);
  out += kDkimSignatureName;
  out += ": ";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r') continue;  // folds arrive as LF or CRLF; written as CRLF
    if (c == '\n') {
      if (i + 1 >= value.size() || (value[i + 1] != ' ' && value[i + 1] != '\t'))
        return impulse::unexpected(std::string("DKIM-Signature fold not followed by white space"));
      out += "\r\n";
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u > 0x7e)
      return impulse::unexpected(std::string("DKIM-Signature value holds a control or 8-bit character"));
    out += c;
  }
  out += "\r\n";
  return out;
}

}  // namespace impulse::protocol
