// Implementation of queue/received_header.hpp.
#include "queue/received_header.hpp"

#include "protocol/dsn_text.hpp"

namespace impulse::queue {
namespace {

// Printable ASCII without spaces, '(' ')' or ';' (they delimit the field's
// parts); anything else becomes '?'.
std::string token(std::string_view s, std::string_view fallback) {
  if (s.empty()) return std::string(fallback);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != ';') ? c : '?';
  }
  return out;
}

std::string address_literal(std::string_view ip) {
  if (ip.find(':') != std::string_view::npos) return "[IPv6:" + token(ip, "unknown") + "]";
  return "[" + token(ip, "unknown") + "]";
}

}  // namespace

std::string with_keyword(spool::Protocol protocol, bool esmtp, bool tls) {
  std::string word;
  switch (protocol) {
    case spool::Protocol::kEsmtp: word = esmtp ? "ESMTP" : "SMTP"; break;
    case spool::Protocol::kRest: word = "HTTP"; break;
    case spool::Protocol::kEcstream: word = "ECSTREAM"; break;
    case spool::Protocol::kXfer: return "XFER";
    case spool::Protocol::kInternal: return "LOCAL";
  }
  if (tls) word += 'S';
  return word;
}

std::string received_header(const TraceFields& f) {
  const std::string protocol = with_keyword(f.protocol, f.esmtp, f.tls);
  std::string h = "Received: from " + token(f.helo, "unknown") + " (" + address_literal(f.peer_ip) + ")\r\n";
  h += "\tby " + token(f.hostname, "localhost") + " with " + protocol + " id " + token(f.message_id, "unknown");
  if (!f.recipient.empty()) {
    h += "\r\n\tfor <" + token(f.recipient, "") + ">";
  }
  h += "; " + protocol::format_rfc5322_date(f.date) + "\r\n";
  return h;
}

}  // namespace impulse::queue
