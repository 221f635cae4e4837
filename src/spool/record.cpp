// Implementation of spool/record.hpp.
#include "spool/record.hpp"

#include <cstdint>

#include "spool/crc32c.hpp"

namespace impulse::spool {
namespace {

constexpr std::size_t kHeaderSize = 5;   // version + payload length
constexpr std::size_t kTrailerSize = 4;  // CRC-32C
// Smallest possible encoded recipient: five empty strings, state, retries,
// two times, empty last_reply: one byte each.
constexpr std::size_t kMinRecipientBytes = 10;
constexpr std::uint8_t kMaxDsnRet = 2;      // protocol/dsn_params.hpp kRetHdrs
constexpr std::uint8_t kMaxDsnNotify = 15;  // all four kNotify* bits

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32le(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      u8(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<std::uint8_t>(v));
  }
  void time(SpoolTime t) {
    auto v = static_cast<std::int64_t>(t.time_since_epoch().count());
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

// Reads from a byte range; every read checks the bounds. After a failed read
// the reader stays failed, so callers check ok() once per group of reads.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  const char* error() const { return error_; }
  std::size_t remaining() const { return in_.size() - pos_; }

  std::uint8_t u8() {
    if (!need(1, "truncated record")) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint32_t u32le() {
    if (!need(4, "truncated record")) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in_[pos_++])) << (8 * i);
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1, "truncated varint")) return 0;
      auto b = static_cast<std::uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) return fail_with("varint overflows 64 bits");
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail_with("varint longer than 10 bytes");
  }
  SpoolTime time() {
    std::uint64_t z = varint();
    auto v = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    return SpoolTime(std::chrono::microseconds(v));
  }
  std::string str() {
    std::uint64_t n = varint();
    if (!ok_) return {};
    if (n > remaining()) {
      fail_with("string length past the end of the record");
      return {};
    }
    std::string s(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  std::uint64_t fail_with(const char* what) {
    if (ok_) error_ = what;
    ok_ = false;
    return 0;
  }

 private:
  bool need(std::size_t n, const char* what) {
    if (!ok_) return false;
    if (remaining() < n) {
      fail_with(what);
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
  const char* error_ = "";
};

Error record_error(std::string_view what) { return Error{"corrupt spool record: " + std::string(what), 0}; }

}  // namespace

std::string encode_record_payload(const Message& m) {
  std::string out;
  out.reserve(64 + m.sender.size() + m.helo.size() + m.origin_id.size() + m.recipients.size() * 64);
  Writer w(out);
  w.u32le(m.id.epoch);
  w.u8(m.id.lane);
  w.varint(m.id.seq);
  w.time(m.received);
  w.u8(static_cast<std::uint8_t>(m.protocol));
  w.varint(m.size);
  w.str(m.sender);
  w.str(m.peer_ip);
  w.str(m.helo);
  w.str(m.origin_id);
  w.str(m.binding);
  w.str(m.binding_group);
  w.u8(m.smtputf8 ? 1 : 0);
  w.u8(m.dsn_ret);
  w.str(m.dsn_envid);
  w.varint(m.recipients.size());
  for (const auto& r : m.recipients) {
    w.str(r.address);
    w.str(r.local_part);
    w.str(r.domain);
    w.str(r.binding);
    w.str(r.binding_group);
    w.u8(static_cast<std::uint8_t>(r.status.state));
    w.varint(r.status.retries);
    w.time(r.status.next_attempt);
    w.time(r.status.first_attempt);
    w.str(r.status.last_reply);
    w.u8(r.dsn_notify);
    w.str(r.dsn_orcpt);
  }
  return out;
}

Result<Message> decode_record_payload(std::string_view payload, std::uint8_t version) {
  if (version < kOldestRecordVersion || version > kRecordVersion)
    return unexpected(record_error("unsupported record version " + std::to_string(version)));
  Reader r(payload);
  Message m;
  m.id.epoch = r.u32le();
  m.id.lane = r.u8();
  m.id.seq = r.varint();
  m.received = r.time();
  std::uint8_t protocol = r.u8();
  m.size = r.varint();
  m.sender = r.str();
  m.peer_ip = r.str();
  if (version >= 2) m.helo = r.str();
  if (version >= 3) m.origin_id = r.str();
  m.binding = r.str();
  m.binding_group = r.str();
  std::uint8_t flags = 0;
  if (version >= 4) {
    flags = r.u8();
    m.dsn_ret = r.u8();
    m.dsn_envid = r.str();
  }
  std::uint64_t count = r.varint();
  if (!r.ok()) return unexpected(record_error(r.error()));
  if (flags > 1) return unexpected(record_error("unknown message flags " + std::to_string(flags)));
  m.smtputf8 = (flags & 1) != 0;
  if (m.dsn_ret > kMaxDsnRet) return unexpected(record_error("unknown DSN RET " + std::to_string(m.dsn_ret)));
  if (protocol > kMaxProtocol) return unexpected(record_error("unknown protocol " + std::to_string(protocol)));
  m.protocol = static_cast<Protocol>(protocol);
  if (count > r.remaining() / kMinRecipientBytes)
    return unexpected(record_error("recipient count " + std::to_string(count) + " exceeds the record"));
  m.recipients.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    Recipient rc;
    rc.address = r.str();
    rc.local_part = r.str();
    rc.domain = r.str();
    rc.binding = r.str();
    rc.binding_group = r.str();
    std::uint8_t state = r.u8();
    std::uint64_t retries = r.varint();
    rc.status.next_attempt = r.time();
    rc.status.first_attempt = r.time();
    rc.status.last_reply = r.str();
    if (version >= 4) {
      rc.dsn_notify = r.u8();
      rc.dsn_orcpt = r.str();
    }
    if (rc.dsn_notify > kMaxDsnNotify) return unexpected(record_error("unknown DSN NOTIFY bits"));
    if (!r.ok()) return unexpected(record_error(r.error()));
    if (state > kMaxRecipientState) return unexpected(record_error("unknown recipient state " + std::to_string(state)));
    if (retries > UINT32_MAX) return unexpected(record_error("retry count out of range"));
    rc.status.state = static_cast<RecipientState>(state);
    rc.status.retries = static_cast<std::uint32_t>(retries);
    m.recipients.push_back(std::move(rc));
  }
  if (r.remaining() != 0) return unexpected(record_error("trailing bytes after the last recipient"));
  return m;
}

std::string encode_record(const Message& message) {
  std::string payload = encode_record_payload(message);
  std::string out;
  out.reserve(kHeaderSize + payload.size() + kTrailerSize);
  Writer w(out);
  w.u8(kRecordVersion);
  w.u32le(static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  w.u32le(crc32c(out));
  return out;
}

Result<Message> decode_record(std::string_view bytes) {
  if (bytes.size() < kHeaderSize + kTrailerSize) return unexpected(record_error("shorter than a record header"));
  Reader header(bytes);
  std::uint8_t version = header.u8();
  std::uint32_t length = header.u32le();
  if (version < kOldestRecordVersion || version > kRecordVersion)
    return unexpected(record_error("unsupported record version " + std::to_string(version)));
  if (static_cast<std::uint64_t>(length) + kHeaderSize + kTrailerSize != bytes.size())
    return unexpected(record_error("payload length does not match the record size"));
  std::string_view covered = bytes.substr(0, bytes.size() - kTrailerSize);
  Reader trailer(bytes.substr(bytes.size() - kTrailerSize));
  if (trailer.u32le() != crc32c(covered)) return unexpected(record_error("checksum mismatch"));
  return decode_record_payload(bytes.substr(kHeaderSize, length), version);
}

}  // namespace impulse::spool
