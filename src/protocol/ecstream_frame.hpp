// ECSTREAM frames: the pure codec of Impulse's node-to-node protocol
// (SPEC §15; the wire format is specified in docs/ecstream.md, which this
// file implements; reference/momentum.md §9.5 for the Momentum options).
//
// Every frame is a 5-octet header (type: u8, payload length: u32 big
// endian) and its payload. Integers are big endian; a string is a u16
// length and that many octets (any bytes, no terminator); the message body
// is a u32 length and that many octets (8-bit clean, sent unchanged).
//
//   GREETING (1) server -> client, first: magic "ECSTREAM", lowest and
//                highest version, window, max message size, max payload, name
//   HELLO    (2) client -> server, first: magic, chosen version, name
//   MESSAGE  (3) client -> server: seq, flags, message id, binding, sender,
//                recipients, body
//   REPLY    (4) server -> client: seq, code, enhanced status, text, queued id
//   GOAWAY   (5) server -> client: last seq it will answer, code, status, text
//   ERROR    (6) either way: code, enhanced status, text; then the sender closes
//
// What it does: encode_*() build whole frames; FrameDecoder splits a byte
// stream into frames incrementally (bytes may arrive in any pieces),
// enforcing Limits on the payload length before buffering it; parse_*()
// read one payload strictly (every length checked against the payload and
// the limits, no trailing bytes, no unknown flags). Leaves to others: the
// session rules (which frame may come when, windows, replies), sockets.
// Pure: no I/O, no globals, any thread (one owner per decoder). Failures
// are values (DecodeError, a one-line reason); nothing throws except
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol::ecstream {

inline constexpr std::string_view kMagic = "ECSTREAM";
inline constexpr std::uint16_t kVersion = 1;  // the only version so far
inline constexpr std::size_t kHeaderSize = 5;
inline constexpr std::uint16_t kDefaultPort = 1825;

enum class FrameType : std::uint8_t {
  kGreeting = 1,
  kHello = 2,
  kMessage = 3,
  kReply = 4,
  kGoaway = 5,
  kError = 6,
};
std::string_view frame_type_name(FrameType type);

// Bounds every length the decoder and the parsers accept.
struct Limits {
  std::uint32_t max_payload = 64u << 20;  // octets of one frame's payload (64 MiB)
  std::size_t max_field = 4096;           // octets of one string field
  std::size_t max_recipients = 100000;    // recipients of one MESSAGE
};

struct DecodeError {
  std::string reason;  // one line, e.g. "unknown frame type 0x45"
};

template <class T>
using Decoded = impulse::expected<T, DecodeError>;

struct Frame {
  FrameType type = FrameType::kError;
  std::string payload;
};

struct Greeting {
  std::uint16_t min_version = kVersion;
  std::uint16_t max_version = kVersion;
  std::uint32_t window = 1;            // MESSAGE frames a client may have unanswered
  std::uint64_t max_message_size = 0;  // body octets; 0 = only max_payload limits it
  std::uint32_t max_payload = 0;       // the receiver's Limits::max_payload
  std::string name;                    // the receiver's host name
  bool operator==(const Greeting&) const = default;
};

struct Hello {
  std::uint16_t version = kVersion;
  std::string name;  // the client's host name (the trace's "from")
  bool operator==(const Hello&) const = default;
};

// MESSAGE flags; other bits must be zero.
inline constexpr std::uint8_t kFlag8BitMime = 0x01;

struct Message {
  std::uint32_t seq = 0;     // 1, 2, 3... per connection
  std::uint8_t flags = 0;
  std::string message_id;    // the sender's id of the message
  std::string binding;       // the binding requested; "" = none
  std::string sender;        // MAIL FROM path without <>; "" = null sender
  std::vector<std::string> recipients;  // at least one
  std::string body;          // CRLF lines, not dot-stuffed, 8-bit clean
  bool operator==(const Message&) const = default;
};

struct Reply {
  std::uint32_t seq = 0;
  std::uint16_t code = 250;  // 2xx durable; 4xx try again later; 5xx refused
  std::string enhanced;      // "2.0.0"; "" when none
  std::string text;
  std::string queued_id;     // the receiver's message id on 2xx, else ""
  bool operator==(const Reply&) const = default;
  // "250 2.0.0 text" as an SMTP-style reply line.
  std::string line() const;
};

struct Goaway {
  std::uint32_t last_seq = 0;  // the highest seq that will still be answered; 0 = none
  std::uint16_t code = 421;
  std::string enhanced;
  std::string text;
  bool operator==(const Goaway&) const = default;
};

struct ErrorFrame {
  std::uint16_t code = 554;
  std::string enhanced;
  std::string text;
  bool operator==(const ErrorFrame&) const = default;
  std::string line() const;
};

// Encoders: the whole frame, header included. Fields longer than the
// protocol allows (a string over 65535 octets, a body over 4 GiB) are
// truncated to fit; callers keep within their peer's Limits themselves.
std::string encode(const Greeting& g);
std::string encode(const Hello& h);
std::string encode(const Message& m);
std::string encode(const Reply& r);
std::string encode(const Goaway& g);
std::string encode(const ErrorFrame& e);
// Appends the MESSAGE frame to `out` without building a Message (the
// client's hot path: the body is copied once).
void append_message(std::string& out, std::uint32_t seq, std::uint8_t flags, std::string_view message_id,
                    std::string_view binding, std::string_view sender, const std::vector<std::string_view>& recipients,
                    std::string_view body);

// Parsers: one payload each (Frame::payload of the matching type).
Decoded<Greeting> parse_greeting(std::string_view payload, const Limits& limits);
Decoded<Hello> parse_hello(std::string_view payload, const Limits& limits);
Decoded<Message> parse_message(std::string_view payload, const Limits& limits);
Decoded<Reply> parse_reply(std::string_view payload, const Limits& limits);
Decoded<Goaway> parse_goaway(std::string_view payload, const Limits& limits);
Decoded<ErrorFrame> parse_error(std::string_view payload, const Limits& limits);

// Splits a byte stream into frames. feed() appends bytes; next() returns
// the next complete frame, nullopt when more bytes are needed, or an
// error (unknown type, payload over the limit) after which the decoder
// stays failed: the stream cannot be resynchronised.
class FrameDecoder {
 public:
  explicit FrameDecoder(Limits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes);
  Decoded<std::optional<Frame>> next();

  // Octets received but not yet returned as frames.
  std::size_t buffered() const { return buffer_.size() - pos_; }
  const Limits& limits() const { return limits_; }
  bool failed() const { return failed_.has_value(); }

 private:
  Limits limits_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::optional<DecodeError> failed_;
};

}  // namespace impulse::protocol::ecstream
