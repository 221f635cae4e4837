// ReplyReader: the SMTP client's reply parser (RFC 5321 §4.2, §4.5.3.1.5;
// reference/protocols.md §1.2). Bytes from the server go in as they arrive,
// in chunks of any size; whole replies come out, one at a time, in order.
// A reply is one line "NNN text" / bare "NNN", or several lines "NNN-text"
// ending with "NNN text" / "NNN", all with the same code.
//
// Accepted: lines ended by CRLF, or by a bare LF (lenient; the CR is
// dropped); a missing text after the code. Rejected (an error, which is
// sticky: the stream is out of step and the connection must be dropped):
// a line that does not start with three digits (first digit 2-5), a fourth
// character other than SP or '-', a continuation line whose code differs,
// a line longer than kMaxReplyLineLength (checked as soon as that many bytes
// are buffered without a line end), a reply of more than kMaxReplyLines lines.
//
// Leaves to others: what a reply means (session_outcome.hpp), capabilities
// (capabilities.hpp), I/O and deadlines (smtp_connection.hpp).
// Threading: a plain value owned by one connection. Pure: no I/O, no
// allocation beyond the buffered bytes and the replies; fuzzed
// (tests/fuzz/fuzz_delivery_reply_parser.cpp). Compiles with clang 14
// (impulse::expected, no <format>).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::delivery::smtp {

// RFC 5321 allows 512 octets per reply line; real servers exceed it now and
// then, so the reader accepts up to this many (CRLF included), as Postfix's
// client does with its line_length_limit.
inline constexpr std::size_t kMaxReplyLineLength = 2048;
// A bound on the lines of one reply (EHLO replies have a few dozen).
inline constexpr std::size_t kMaxReplyLines = 256;

struct Reply {
  int code = 0;                    // 200..599
  std::vector<std::string> lines;  // each line's text after "NNN-" / "NNN " ("" for a bare "NNN")
  std::string text;                // the reply as received: its lines joined by CRLF, no final CRLF

  int klass() const { return code / 100; }
  bool positive() const { return klass() == 2; }
  bool intermediate() const { return klass() == 3; }
  bool transient() const { return klass() == 4; }
  bool permanent() const { return klass() == 5; }
  // RFC 5321 §4.5.3.1.10: 452 (or the old 552) to RCPT means "too many
  // recipients, send the rest later", unless an enhanced code says otherwise
  // (552 5.2.2 is a full mailbox: permanent). Defined in reply_reader.cpp.
  bool too_many_recipients() const;
};

enum class ReplyError {
  kLineTooLong,   // more than kMaxReplyLineLength octets without a line end
  kBadLine,       // not "NNN", "NNN text" or "NNN-text" with a valid code
  kCodeMismatch,  // a line of a multi-line reply carries another code
  kTooManyLines,  // more than kMaxReplyLines lines in one reply
};

std::string_view reply_error_text(ReplyError error);

class ReplyReader {
 public:
  // Appends received bytes. After an error, bytes are ignored.
  void feed(std::string_view bytes);

  // The next complete reply; std::nullopt when more bytes are needed; the
  // (sticky) error once the stream is malformed.
  impulse::expected<std::optional<Reply>, ReplyError> next();

  // Octets received and not yet returned as part of a reply (a partial
  // line, or whole replies not asked for yet). After the 220 to STARTTLS it
  // must be 0: anything else is plaintext injection (RFC 3207 §5 advice).
  std::size_t buffered() const { return buffer_.size() - pos_ + partial_bytes_; }

  bool failed() const { return error_.has_value(); }

 private:
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the unconsumed bytes in buffer_
  Reply partial_;        // lines of a multi-line reply read so far
  std::size_t partial_bytes_ = 0;  // their octets as received
  std::optional<ReplyError> error_;
};

}  // namespace impulse::delivery::smtp
