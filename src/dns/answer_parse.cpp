#include "dns/answer_parse.hpp"

#include <algorithm>
#include <string_view>

namespace impulse::dns {
namespace {

constexpr std::size_t kMaxNameOctets = 255;  // RFC 1035 §2.3.4
constexpr std::string_view kEscapedWithBackslash = ".\\\"();@$";

void append_label(std::string& out, Bytes label) {
  for (std::uint8_t b : label) {
    if (b >= 'A' && b <= 'Z') {
      out += static_cast<char>(b - 'A' + 'a');
    } else if (kEscapedWithBackslash.find(static_cast<char>(b)) != std::string_view::npos) {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b < 0x21 || b > 0x7e) {
      out += '\\';
      out += static_cast<char>('0' + b / 100);
      out += static_cast<char>('0' + b / 10 % 10);
      out += static_cast<char>('0' + b % 10);
    } else {
      out += static_cast<char>(b);
    }
  }
}

}  // namespace

Result<std::string> parse_wire_name(Bytes wire, std::size_t& offset) {
  std::string out;
  std::size_t octets = 0;
  bool first = true;
  for (;;) {
    if (offset >= wire.size()) return fail("domain name runs past the end of the rdata");
    const std::uint8_t len = wire[offset++];
    octets += 1 + len;
    if (len == 0) break;
    if ((len & 0xC0) == 0xC0) return fail("compression pointer in uncompressed rdata");
    if (len & 0xC0) return fail("unsupported label type");
    if (octets + 1 > kMaxNameOctets) return fail("domain name longer than 255 octets");
    if (wire.size() - offset < len) return fail("label runs past the end of the rdata");
    if (!first) out += '.';
    first = false;
    append_label(out, wire.subspan(offset, len));
    offset += len;
  }
  return out;
}

Result<MxRecord> parse_mx_rdata(Bytes rdata) {
  if (rdata.size() < 3) return fail("MX rdata shorter than 3 octets");
  MxRecord mx;
  mx.preference = static_cast<std::uint16_t>(rdata[0] << 8 | rdata[1]);
  std::size_t offset = 2;
  auto name = parse_wire_name(rdata, offset);
  if (!name) return fail("MX exchange: " + name.error().message);
  if (offset != rdata.size()) return fail("octets after the MX exchange name");
  mx.exchange = std::move(*name);
  return mx;
}

Result<config::IpAddress> parse_a_rdata(Bytes rdata) {
  if (rdata.size() != 4) return fail("A rdata is " + std::to_string(rdata.size()) + " octets, not 4");
  config::IpAddress ip;
  ip.v6 = false;
  std::copy(rdata.begin(), rdata.end(), ip.bytes.begin());
  return ip;
}

Result<config::IpAddress> parse_aaaa_rdata(Bytes rdata) {
  if (rdata.size() != 16) return fail("AAAA rdata is " + std::to_string(rdata.size()) + " octets, not 16");
  config::IpAddress ip;
  ip.v6 = true;
  std::copy(rdata.begin(), rdata.end(), ip.bytes.begin());
  return ip;
}

}  // namespace impulse::dns
