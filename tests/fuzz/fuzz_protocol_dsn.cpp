// Fuzz target: the RFC 3464 bounce builder. Any original message, reply
// text and addresses must give either an Error or a bounce whose lines all
// end in CRLF, are at most 998 octets, and are 7-bit unless eight_bit says
// otherwise. Input layout: the first line is the diagnostic reply, the
// second the recipient address, the third the sender; the rest is the
// original message. The first byte also picks bounces_inline_original.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/dsn.hpp"

namespace {

std::string_view take_line(std::string_view& in) {
  auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto mode = size > 0 ? data[0] % 3 : 0;
  DsnRequest req;
  req.reporting_mta = "mta.example.test";
  req.from = "mailer-daemon@mta.example.test";
  req.message_id = "bounce-1@mta.example.test";
  req.boundary_seed = "fuzz";
  DsnRecipient rcpt;
  rcpt.diagnostic = std::string(take_line(in));
  rcpt.final_recipient = std::string(take_line(in));
  req.to = std::string(take_line(in));
  req.recipients.push_back(rcpt);
  req.inline_original = mode == 0 ? InlineOriginal::kNone : mode == 1 ? InlineOriginal::kHeaders : InlineOriginal::kAll;
  req.original = in;
  auto dsn = build_dsn(req);
  if (!dsn) return 0;
  std::string_view out = dsn->bytes;
  std::size_t start = 0;
  while (start < out.size()) {
    auto crlf = out.find("\r\n", start);
    if (crlf == std::string_view::npos) std::abort();       // every line ends in CRLF
    if (crlf - start > 998) std::abort();                    // RFC 5322 line limit
    for (std::size_t i = start; i < crlf; ++i) {
      auto c = static_cast<unsigned char>(out[i]);
      if (c == '\r' || c == '\n') std::abort();              // no bare CR/LF
      if (c >= 0x80 && !dsn->eight_bit) std::abort();        // 7-bit unless flagged
    }
    start = crlf + 2;
  }
  return 0;
}
