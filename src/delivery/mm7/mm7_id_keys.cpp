// Implementation of delivery/mm7/mm7_id_keys.hpp.
#include "delivery/mm7/mm7_id_keys.hpp"

#include <chrono>

namespace impulse::delivery::mm7 {

namespace {

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get_be(std::string_view in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return v;
}

// Unix milliseconds, clamped at 0 (no entry expires before 1970).
std::uint64_t to_ms(WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}

WallTime from_ms(std::uint64_t ms) {
  constexpr std::uint64_t kMaxMs = 10'000'000'000'000;  // year 2286: a corrupt value cannot overflow
  if (ms > kMaxMs) ms = kMaxMs;
  return WallTime{std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(static_cast<std::int64_t>(ms)))};
}

}  // namespace

std::string mm7_remote_key(std::string_view remote_id) {
  std::string key(1, kMm7RemotePrefix);
  key.append(remote_id);
  return key;
}

std::string mm7_expiry_key(WallTime expires, std::string_view remote_id) {
  std::string key(1, kMm7ExpiryPrefix);
  put_be(key, to_ms(expires), 8);
  key.append(remote_id);
  return key;
}

std::string mm7_encode_entry(const Mm7IdEntry& entry) {
  std::string out;
  out.reserve(12 + entry.submission.message_id.size() + entry.submission.recipient.size());
  put_be(out, to_ms(entry.expires), 8);
  put_be(out, entry.submission.message_id.size(), 4);
  out.append(entry.submission.message_id);
  out.append(entry.submission.recipient);
  return out;
}

std::optional<Mm7IdEntry> mm7_decode_entry(std::string_view value) {
  if (value.size() < 12) return std::nullopt;
  const std::uint64_t length = get_be(value.substr(8), 4);
  if (length > value.size() - 12) return std::nullopt;
  Mm7IdEntry entry;
  entry.expires = from_ms(get_be(value, 8));
  entry.submission.message_id.assign(value.substr(12, length));
  entry.submission.recipient.assign(value.substr(12 + length));
  return entry;
}

std::optional<Mm7ExpiryKey> mm7_decode_expiry_key(std::string_view key) {
  if (key.size() < 9 || key.front() != kMm7ExpiryPrefix) return std::nullopt;
  return Mm7ExpiryKey{from_ms(get_be(key.substr(1), 8)), key.substr(9)};
}

}  // namespace impulse::delivery::mm7
