// Implementation of protocol/dsn_params.hpp.
#include "protocol/dsn_params.hpp"

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

impulse::unexpected<std::string> bad(std::string why) { return impulse::unexpected<std::string>(std::move(why)); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // RFC 3461 HEXCHAR is upper case only
}

// xtext decoding; when allow_utf8, raw UTF-8 octets pass (RFC 6533
// utf-8-addr-unitext).
ParamText decode(std::string_view xtext, bool allow_utf8) {
  std::string out;
  out.reserve(xtext.size());
  for (std::size_t i = 0; i < xtext.size(); ++i) {
    const char c = xtext[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '+') {
      if (i + 2 >= xtext.size()) return bad("bad xtext escape");
      const int hi = hex_value(xtext[i + 1]);
      const int lo = hex_value(xtext[i + 2]);
      if (hi < 0 || lo < 0) return bad("bad xtext escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '=' || u < 0x21 || (u > 0x7e && !allow_utf8)) {
      return bad("bad xtext character");
    } else {
      out.push_back(c);
    }
  }
  if (allow_utf8 && !valid_utf8(out)) return bad("bad UTF-8");
  return out;
}

}  // namespace

ParamResult8 parse_notify(std::string_view value) {
  if (iequals(value, "NEVER")) return kNotifyNever;
  std::uint8_t bits = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = value.find(',', start);
    const std::string_view item = value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
    std::uint8_t bit = 0;
    if (iequals(item, "SUCCESS")) bit = kNotifySuccess;
    else if (iequals(item, "FAILURE")) bit = kNotifyFailure;
    else if (iequals(item, "DELAY")) bit = kNotifyDelay;
    else return bad("NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY");
    if (bits & bit) return bad("NOTIFY repeats a value");
    bits |= bit;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return bits;
}

ParamResult8 parse_ret(std::string_view value) {
  if (iequals(value, "FULL")) return kRetFull;
  if (iequals(value, "HDRS")) return kRetHdrs;
  return bad("RET must be FULL or HDRS");
}

ParamText parse_envid(std::string_view value) {
  if (value.size() > kMaxEnvidOctets) return bad("ENVID longer than 100 octets");
  return decode(value, false);
}

ParamText parse_orcpt(std::string_view value) {
  if (value.size() > kMaxOrcptOctets) return bad("ORCPT too long");
  const std::size_t semi = value.find(';');
  if (semi == std::string_view::npos || semi == 0) return bad("ORCPT needs addr-type;address");
  const std::string_view type = value.substr(0, semi);
  for (char c : type) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-';
    if (!ok) return bad("bad ORCPT address type");
  }
  auto address = decode(value.substr(semi + 1), iequals(type, "utf-8"));
  if (!address) return bad("ORCPT: " + address.error());
  if (address->empty()) return bad("ORCPT address is empty");
  for (char c : *address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return bad("ORCPT address has control characters");
  }
  return std::string(type) + ";" + *address;
}

ParamText xtext_decode(std::string_view xtext) { return decode(xtext, false); }

std::string xtext_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '+' || c == '=') {
      out.push_back('+');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_notify(std::uint8_t notify) {
  if (notify & kNotifyNever) return "NEVER";
  std::string out;
  auto add = [&out](std::string_view word) {
    if (!out.empty()) out.push_back(',');
    out.append(word);
  };
  if (notify & kNotifySuccess) add("SUCCESS");
  if (notify & kNotifyFailure) add("FAILURE");
  if (notify & kNotifyDelay) add("DELAY");
  return out;
}

std::string_view format_ret(std::uint8_t ret) {
  if (ret == kRetFull) return "FULL";
  if (ret == kRetHdrs) return "HDRS";
  return {};
}

std::string format_orcpt(std::string_view stored) {
  const std::size_t semi = stored.find(';');
  if (semi == std::string_view::npos) return "rfc822;" + xtext_encode(stored);
  return std::string(stored.substr(0, semi)) + ";" + xtext_encode(stored.substr(semi + 1));
}

bool has_8bit(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) > 0x7f) return true;
  return false;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) n = 1, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 2, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

}  // namespace impulse::protocol
