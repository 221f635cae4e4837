// BodyEncoder: turns message content into the bytes sent after DATA's 354
// (RFC 5321 §4.5.2, §4.1.1.4; reference/protocols.md §1.4 and §9):
//   1. line ends are normalised first: CRLF stays, a bare LF and a bare CR
//      each become CRLF (so "\n.\n" and "\r.\r\n" can never end the data
//      early on a lenient server: "SMTP smuggling");
//   2. then every line that starts with '.' gets one more '.' (the first
//      line too);
//   3. finish() adds CRLF if the content did not end with one, then ".CRLF".
// Every other octet passes unchanged (8-bit clean). Streaming: content may
// arrive in chunks of any size, split anywhere (a CR at the end of a chunk
// waits for the next one to know whether LF follows).
//
// Also the content facts MAIL FROM needs: its size as sent (SIZE=, RFC 1870:
// normalised line ends, no dot-stuffing, no terminator) and whether it has
// 8-bit octets (BODY=8BITMIME, RFC 6152).
//
// Leaves to others: writing the bytes and their deadlines (smtp_connection),
// 8-bit to 7-bit conversion (not done: the body passes unchanged).
// Pure; a value owned by one delivery; cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace impulse::delivery::smtp {

class BodyEncoder {
 public:
  // Appends the wire form of `chunk` to `out`.
  void encode(std::string_view chunk, std::string& out);
  // Appends the end of the data: any pending line end, a final CRLF if
  // needed, and ".\r\n". The encoder is then back at its initial state.
  void finish(std::string& out);

 private:
  bool at_line_start_ = true;
  bool pending_cr_ = false;
};

// The whole content encoded at once (tests, small bodies).
std::string encode_body(std::string_view content);

// Octets of the content once line ends are normalised, including the CRLF
// finish() adds to an unterminated last line; no dot-stuffing, no ".CRLF".
std::uint64_t normalized_size(std::string_view content);

// True if any octet has the high bit set.
bool has_8bit(std::string_view content);

}  // namespace impulse::delivery::smtp
