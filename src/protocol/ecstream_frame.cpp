// Implementation of protocol/ecstream_frame.hpp.
#include "protocol/ecstream_frame.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace impulse::protocol::ecstream {
namespace {

constexpr std::size_t kMaxString = std::numeric_limits<std::uint16_t>::max();
constexpr std::size_t kMaxBody = std::numeric_limits<std::uint32_t>::max();

void put_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void put_str(std::string& out, std::string_view s) {
  s = s.substr(0, kMaxString);
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

// Writes the header with a placeholder length; finish() fills it in.
std::size_t begin_frame(std::string& out, FrameType type) {
  const std::size_t start = out.size();
  put_u8(out, static_cast<std::uint8_t>(type));
  put_u32(out, 0);
  return start;
}
void finish_frame(std::string& out, std::size_t start) {
  const std::size_t length = out.size() - start - kHeaderSize;
  for (int i = 0; i < 4; ++i) out[start + 1 + i] = static_cast<char>(length >> (24 - 8 * i));
}

// A strict reader over one payload: the first failure sticks.
class Reader {
 public:
  Reader(std::string_view in, const Limits& limits) : in_(in), limits_(limits) {}

  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(uint(1, what)); }
  std::uint16_t u16(const char* what) { return static_cast<std::uint16_t>(uint(2, what)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(uint(4, what)); }
  std::uint64_t u64(const char* what) { return uint(8, what); }

  std::string str(const char* what) {
    const std::size_t n = u16(what);
    if (!error_.empty()) return {};
    if (n > limits_.max_field) return fail(std::string(what) + " longer than " + std::to_string(limits_.max_field));
    return take(n, what);
  }
  std::string body() {
    const std::size_t n = u32("body length");
    if (!error_.empty()) return {};
    return take(n, "body");
  }
  std::string_view magic() {
    if (!need(kMagic.size(), "magic")) return {};
    const std::string_view m = in_.substr(pos_, kMagic.size());
    pos_ += kMagic.size();
    if (m != kMagic) fail("not an ECSTREAM peer (bad magic)");
    return m;
  }

  // No failure so far.
  bool good() const { return error_.empty(); }
  // Called last: the payload must be used up exactly. True when all is well.
  bool finish() {
    if (error_.empty() && pos_ != in_.size()) error_ = std::to_string(in_.size() - pos_) + " trailing octets";
    return error_.empty();
  }
  DecodeError error() const { return DecodeError{error_}; }
  std::string fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    return {};
  }

 private:
  bool need(std::size_t n, const char* what) {
    if (!error_.empty()) return false;
    if (in_.size() - pos_ < n) {
      fail(std::string(what) + " runs past the end of the frame");
      return false;
    }
    return true;
  }
  std::uint64_t uint(std::size_t n, const char* what) {
    if (!need(n, what)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string take(std::size_t n, const char* what) {
    if (!need(n, what)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }

  std::string_view in_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::string error_;
};

template <class T>
Decoded<T> result(Reader& r, T value) {
  if (!r.finish()) return impulse::unexpected(r.error());
  return value;
}

bool valid_code(std::uint16_t code) { return code >= 200 && code <= 599; }

std::string status_line(std::uint16_t code, const std::string& enhanced, const std::string& text) {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  if (!text.empty()) out += " " + text;
  return out;
}

}  // namespace

std::string_view frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::kGreeting: return "GREETING";
    case FrameType::kHello: return "HELLO";
    case FrameType::kMessage: return "MESSAGE";
    case FrameType::kReply: return "REPLY";
    case FrameType::kGoaway: return "GOAWAY";
    case FrameType::kError: return "ERROR";
  }
  return "UNKNOWN";
}

std::string Reply::line() const { return status_line(code, enhanced, text); }
std::string ErrorFrame::line() const { return status_line(code, enhanced, text); }

std::string encode(const Greeting& g) {
  std::string out;
  const std::size_t start = begin_frame(out, FrameType::kGreeting);
  out.append(kMagic);
  put_u16(out, g.min_version);
  put_u16(out, g.max_version);
  put_u32(out, g.window);
  put_u64(out, g.max_message_size);
  put_u32(out, g.max_payload);
  put_str(out, g.name);
  finish_frame(out, start);
  return out;
}

std::string encode(const Hello& h) {
  std::string out;
  const std::size_t start = begin_frame(out, FrameType::kHello);
  out.append(kMagic);
  put_u16(out, h.version);
  put_str(out, h.name);
  finish_frame(out, start);
  return out;
}

void append_message(std::string& out, std::uint32_t seq, std::uint8_t flags, std::string_view message_id,
                    std::string_view binding, std::string_view sender, const std::vector<std::string_view>& recipients,
                    std::string_view body) {
  const std::size_t start = begin_frame(out, FrameType::kMessage);
  put_u32(out, seq);
  put_u8(out, flags);
  put_str(out, message_id);
  put_str(out, binding);
  put_str(out, sender);
  put_u32(out, static_cast<std::uint32_t>(recipients.size()));
  for (std::string_view r : recipients) put_str(out, r);
  body = body.substr(0, kMaxBody - std::min(kMaxBody, out.size() - start));
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.append(body);
  finish_frame(out, start);
}

std::string encode(const Message& m) {
  std::string out;
  std::vector<std::string_view> recipients(m.recipients.begin(), m.recipients.end());
  append_message(out, m.seq, m.flags, m.message_id, m.binding, m.sender, recipients, m.body);
  return out;
}

std::string encode(const Reply& r) {
  std::string out;
  const std::size_t start = begin_frame(out, FrameType::kReply);
  put_u32(out, r.seq);
  put_u16(out, r.code);
  put_str(out, r.enhanced);
  put_str(out, r.text);
  put_str(out, r.queued_id);
  finish_frame(out, start);
  return out;
}

std::string encode(const Goaway& g) {
  std::string out;
  const std::size_t start = begin_frame(out, FrameType::kGoaway);
  put_u32(out, g.last_seq);
  put_u16(out, g.code);
  put_str(out, g.enhanced);
  put_str(out, g.text);
  finish_frame(out, start);
  return out;
}

std::string encode(const ErrorFrame& e) {
  std::string out;
  const std::size_t start = begin_frame(out, FrameType::kError);
  put_u16(out, e.code);
  put_str(out, e.enhanced);
  put_str(out, e.text);
  finish_frame(out, start);
  return out;
}

Decoded<Greeting> parse_greeting(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  Greeting g;
  r.magic();
  g.min_version = r.u16("min version");
  g.max_version = r.u16("max version");
  g.window = r.u32("window");
  g.max_message_size = r.u64("max message size");
  g.max_payload = r.u32("max payload");
  g.name = r.str("name");
  if (r.good()) {
    if (g.min_version == 0 || g.min_version > g.max_version) r.fail("bad version range");
    if (g.window == 0) r.fail("window of 0");
  }
  return result(r, std::move(g));
}

Decoded<Hello> parse_hello(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  Hello h;
  r.magic();
  h.version = r.u16("version");
  h.name = r.str("name");
  if (r.good() && h.version == 0) r.fail("version 0");
  return result(r, std::move(h));
}

Decoded<Message> parse_message(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  Message m;
  m.seq = r.u32("seq");
  m.flags = r.u8("flags");
  m.message_id = r.str("message id");
  m.binding = r.str("binding");
  m.sender = r.str("sender");
  const std::uint32_t count = r.u32("recipient count");
  if (r.good()) {
    // Each recipient takes at least its 2-octet length: a count the payload
    // cannot hold is refused before anything is reserved.
    if (count == 0) r.fail("no recipients");
    else if (count > limits.max_recipients)
      r.fail("more than " + std::to_string(limits.max_recipients) + " recipients");
    else if (count > payload.size() / 2) r.fail("recipient count exceeds the frame");
  }
  for (std::uint32_t i = 0; i < count && r.good(); ++i) {
    m.recipients.push_back(r.str("recipient"));
  }
  m.body = r.body();
  if (r.good()) {
    if (m.seq == 0) r.fail("seq 0");
    if ((m.flags & ~kFlag8BitMime) != 0) r.fail("unknown flags");
    for (const auto& rc : m.recipients)
      if (rc.empty()) r.fail("empty recipient");
  }
  return result(r, std::move(m));
}

Decoded<Reply> parse_reply(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  Reply p;
  p.seq = r.u32("seq");
  p.code = r.u16("code");
  p.enhanced = r.str("enhanced status");
  p.text = r.str("text");
  p.queued_id = r.str("queued id");
  if (r.good() && !valid_code(p.code)) r.fail("reply code " + std::to_string(p.code) + " out of range");
  return result(r, std::move(p));
}

Decoded<Goaway> parse_goaway(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  Goaway g;
  g.last_seq = r.u32("last seq");
  g.code = r.u16("code");
  g.enhanced = r.str("enhanced status");
  g.text = r.str("text");
  if (r.good() && !valid_code(g.code)) r.fail("goaway code " + std::to_string(g.code) + " out of range");
  return result(r, std::move(g));
}

Decoded<ErrorFrame> parse_error(std::string_view payload, const Limits& limits) {
  Reader r(payload, limits);
  ErrorFrame e;
  e.code = r.u16("code");
  e.enhanced = r.str("enhanced status");
  e.text = r.str("text");
  if (r.good() && !valid_code(e.code)) r.fail("error code " + std::to_string(e.code) + " out of range");
  return result(r, std::move(e));
}

void FrameDecoder::feed(std::string_view bytes) {
  if (failed_) return;
  if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

Decoded<std::optional<Frame>> FrameDecoder::next() {
  if (failed_) return impulse::unexpected(*failed_);
  const std::string_view avail = std::string_view(buffer_).substr(pos_);
  if (avail.empty()) return std::optional<Frame>{};
  const auto type = static_cast<std::uint8_t>(avail[0]);
  if (type < static_cast<std::uint8_t>(FrameType::kGreeting) || type > static_cast<std::uint8_t>(FrameType::kError)) {
    char text[80];
    if (type >= 0x20 && type < 0x7f)
      std::snprintf(text, sizeof text, "unknown frame type 0x%02X ('%c'): not an ECSTREAM peer", type, type);
    else
      std::snprintf(text, sizeof text, "unknown frame type 0x%02X: not an ECSTREAM peer", type);
    failed_ = DecodeError{text};
    return impulse::unexpected(*failed_);
  }
  if (avail.size() < kHeaderSize) return std::optional<Frame>{};
  std::uint32_t length = 0;
  for (std::size_t i = 1; i < kHeaderSize; ++i) length = (length << 8) | static_cast<std::uint8_t>(avail[i]);
  if (length > limits_.max_payload) {
    failed_ = DecodeError{std::string(frame_type_name(static_cast<FrameType>(type))) + " payload of " +
                          std::to_string(length) + " octets exceeds the limit of " +
                          std::to_string(limits_.max_payload)};
    return impulse::unexpected(*failed_);
  }
  if (avail.size() - kHeaderSize < length) return std::optional<Frame>{};
  Frame frame{static_cast<FrameType>(type), std::string(avail.substr(kHeaderSize, length))};
  pos_ += kHeaderSize + length;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace impulse::protocol::ecstream
