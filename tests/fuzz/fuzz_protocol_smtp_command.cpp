// Fuzz target for protocol/smtp_command.hpp: any line must parse or fail
// cleanly, and what parses must respect the RFC 5321 length limits (and
// carry UTF-8 paths only with SMTPUTF8).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/dsn_params.hpp"
#include "protocol/smtp_command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = parse_command(line);
  if (!r) return 0;
  if (r->verb == Verb::Mail || r->verb == Verb::Rcpt) {
    const Path& p = r->path;
    if (p.local_part.size() > kMaxLocalPart || p.domain.size() > kMaxDomain) std::abort();
    if (p.address().size() + 2 > kMaxPath) std::abort();
    if (p.null && (r->verb == Verb::Rcpt || !p.local_part.empty())) std::abort();
    for (char c : p.address()) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) std::abort();  // never control octets in a path
      if (u > 0x7e && !(r->smtputf8 && p.utf8)) std::abort();  // 8-bit only with SMTPUTF8 (RFC 6531)
    }
    if (p.utf8 && !valid_utf8(p.address())) std::abort();
  }
  return 0;
}
