// The spool record: a Message's metadata as bytes, and back
// (docs/architecture.md rule 7: parsers are pure and fuzzed;
// tests/fuzz/fuzz_spool_record.cpp).
// The body is not part of the record; stores keep it beside it.
//
// Format, version 4 (all integers unsigned LEB128 varints unless noted;
// "str" = varint length then that many bytes; times = zig-zag varint of
// microseconds since the Unix epoch):
//   u8  version (4; 3, 2 and 1 are still read)
//   u32 payload length L, little-endian
//   L bytes payload:
//     u32-LE epoch | u8 lane | varint seq                    (the message id)
//     time received | u8 protocol | varint size
//     str sender | str peer_ip | str helo (since version 2; absent in 1,
//     which decodes with helo "") | str origin_id (since version 3; absent
//     before, decoded as "") | str binding | str binding_group
//     [since version 4: u8 flags (bit 0 smtputf8) | u8 dsn_ret | str dsn_envid;
//      absent before, decoded as false, 0, ""]
//     varint recipient count, then per recipient:
//       str address | str local_part | str domain | str binding | str binding_group
//       u8 state | varint retries | time next_attempt | time first_attempt
//       str last_reply [since version 4: u8 dsn_notify | str dsn_orcpt]
//   u32 CRC-32C of every byte before it, little-endian
// A decoder for version N keeps reading every older version; a new version
// gets a new number, never a silent layout change.
//
// Failure: decode_record() returns an Error for any input that is not exactly
// one valid record (bad version, short/long, checksum mismatch, out-of-range
// enum or number, lengths past the end). It never crashes, never reads out of
// bounds, and never allocates more than the input could describe.
// Threading: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "spool/message.hpp"

namespace impulse::spool {

inline constexpr std::uint8_t kRecordVersion = 4;  // what encode_record() writes
inline constexpr std::uint8_t kOldestRecordVersion = 1;  // oldest decode_record() reads

std::string encode_record(const Message& message);
Result<Message> decode_record(std::string_view bytes);

// The payload alone (no version, length or checksum), in the layout of
// kRecordVersion when encoding and of `version` when decoding.
// decode_record() uses it after its checks; exposed so the fuzzer can reach
// the field decoder without having to forge checksums.
std::string encode_record_payload(const Message& message);
Result<Message> decode_record_payload(std::string_view payload, std::uint8_t version = kRecordVersion);

}  // namespace impulse::spool
