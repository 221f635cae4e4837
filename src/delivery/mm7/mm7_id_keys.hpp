// The on-disk layout of the MM7 MessageID map (mm7_message_ids.hpp): pure
// encoders and decoders of its RocksDB keys and values, no I/O.
//
//   'f' "format"                 -> kMm7IdsFormat
//   'r' remote_id                -> expires (8 bytes, big-endian Unix ms)
//                                   message_id length (4 bytes, big-endian)
//                                   message_id, recipient
//   'e' expires (8 bytes) remote_id -> "" (expiry order: the sweep and the
//                                   capacity limit read it from the start)
//
// Big-endian times make RocksDB's bytewise order the expiry order.
// Leaves to others: reading and writing the database (mm7_message_ids.cpp).
// Threading: pure functions. Failures: a value that does not decode is
// nullopt (the entry is treated as absent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"

namespace impulse::delivery::mm7 {

struct Mm7Submission {
  std::string message_id;  // the Impulse message id
  std::string recipient;   // the envelope recipient the submission was for
};

struct Mm7IdEntry {
  Mm7Submission submission;
  WallTime expires;
};

inline constexpr std::string_view kMm7IdsFormatKey = "fformat";
inline constexpr std::string_view kMm7IdsFormat = "impulse-mm7-ids-1";
inline constexpr char kMm7RemotePrefix = 'r';
inline constexpr char kMm7ExpiryPrefix = 'e';

std::string mm7_remote_key(std::string_view remote_id);
std::string mm7_expiry_key(WallTime expires, std::string_view remote_id);

std::string mm7_encode_entry(const Mm7IdEntry& entry);
std::optional<Mm7IdEntry> mm7_decode_entry(std::string_view value);

struct Mm7ExpiryKey {
  WallTime expires;
  std::string_view remote_id;  // points into the key
};
std::optional<Mm7ExpiryKey> mm7_decode_expiry_key(std::string_view key);

}  // namespace impulse::delivery::mm7
