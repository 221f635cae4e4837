// DataReader: the server side of the DATA phase (RFC 5321 §4.5.2, §4.1.1.4),
// fed incrementally with whatever bytes arrived, in any split.
//
// What it does, byte by byte, holding only a few bits of state (never
// buffering input, so it cannot grow with hostile input):
// - the end of data is CRLF "." CRLF where both line ends are real CRLFs;
//   the CRLF that ended the DATA command counts as the first one.
//   "\n.\n", "\n.\r\n", "\r.\r\n" and ".\n" never end the data (SMTP
//   smuggling, 2023);
// - bare CR and bare LF are stored as CRLF; a line that follows a bare line
//   end is stored verbatim: no dot is removed there and it cannot end the
//   data (the sender did not mean it as a line start);
// - one leading dot is removed from a line that starts after a real CRLF and
//   has more characters ("..x" -> ".x", "..\r\n" -> ".\r\n");
// - lines over 1000 octets including CRLF (998 of content after unstuffing)
//   are flagged, not cut;
// - the size of the stored content (CRLF line ends, unstuffed) is counted;
//   past max_size it stops storing and flags too_big, but keeps reading to
//   the end so the session can answer 552 in sequence.
// NUL and 8-bit octets pass through unchanged.
//
// Leaves to others: replies (the session), what to do with a flagged message.
// Pure, single-owner, no I/O; fuzzed (tests/fuzz/fuzz_protocol_data_reader.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace impulse::protocol {

// Longest text line, CRLF included (RFC 5321 §4.5.3.1.6).
inline constexpr std::size_t kMaxTextLine = 1000;

class DataReader {
 public:
  // max_size: largest content to store, in octets; 0 = no limit.
  explicit DataReader(std::uint64_t max_size = 0) : max_size_(max_size) {}

  // Consumes input up to and including the final CRLF.CRLF and returns how
  // many octets it used; the rest (pipelined commands) belongs to the caller.
  // Once done(), consumes nothing.
  std::size_t feed(std::string_view input);

  bool done() const { return state_ == State::Done; }
  bool too_big() const { return too_big_; }
  bool line_too_long() const { return line_too_long_; }
  // Octets of content seen (stored or not), CRLF line ends, unstuffed.
  std::uint64_t size() const { return size_; }
  // The stored content: CRLF line ends, dots unstuffed, ends with CRLF
  // unless empty. Truncated when too_big().
  const std::string& data() const { return data_; }
  std::string take_data() { return std::move(data_); }

 private:
  enum class State {
    LineStart,      // at a line start that followed a real CRLF (or DATA)
    LooseStart,     // at a line start that followed a bare CR or LF
    Dot,            // a real line start then "."
    DotCr,          // a real line start then ".\r"
    InLine,         // inside a line
    Cr,             // inside a line, after "\r"
    Done,
  };

  void put(char c);
  void put_run(std::string_view run);
  void put_line_end();

  std::uint64_t max_size_;
  std::uint64_t size_ = 0;
  std::size_t line_length_ = 0;  // content octets of the current line
  State state_ = State::LineStart;
  bool too_big_ = false;
  bool line_too_long_ = false;
  std::string data_;
};

}  // namespace impulse::protocol
