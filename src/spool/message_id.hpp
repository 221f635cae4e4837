// MessageId: the one name of a message everywhere (mainlog msgid field,
// console `message ...`/`showqueue`, bounces, spool keys; SPEC §10,
// reference/momentum.md §7.4 and §10.1), and MessageIdGenerator, which makes
// them without locks.
//
// An id is three numbers:
//   epoch  32 bits  reserved by the spool at every open (Store::id_epoch()):
//                   max(unix seconds now, previous epoch + 1), persisted and
//                   synced before the store is usable, so no two runs of the
//                   daemon on one spool ever share an epoch;
//   lane   8 bits   the generator's lane: one per event-loop thread (0..255);
//   seq    64 bits  a per-generator counter starting at 1.
// Printable form (canonical, what to_string() gives and parse() accepts):
//   EEEEEEEE-LL-SSSSSSSS   e.g. 6553F1A0-03-0000002A
// upper-case hex, epoch 8 digits, lane 2 digits, seq at least 8 digits (more
// only when it outgrows them, never with a leading 0 then). 20 characters in
// practice, like Momentum's `00/00-25004-31B987F3`; no spaces, `@` or `/`, so
// it is one field in `@`-separated logs and one word on the console. parse()
// also accepts lower-case hex (operators type ids) and returns the same id.
// Binary key form (spool keys): 13 bytes, epoch BE | lane | seq BE, so byte
// order is id order is (roughly) reception order.
//
// Threading: MessageId is a value. A MessageIdGenerator belongs to one thread
// (no locking at all); give each event loop its own lane.
// Failure: parse()/from_key() return an Error on malformed input; no throws.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace impulse::spool {

struct MessageId {
  static constexpr std::size_t kKeySize = 13;
  using Key = std::array<char, kKeySize>;

  std::uint32_t epoch = 0;
  std::uint8_t lane = 0;
  std::uint64_t seq = 0;

  auto operator<=>(const MessageId&) const = default;
  bool operator==(const MessageId&) const = default;

  // Printable form, see above.
  std::string to_string() const;
  static Result<MessageId> parse(std::string_view text);

  // Binary spool key, see above.
  Key to_key() const;
  static Result<MessageId> from_key(std::string_view key);
};

class MessageIdGenerator {
 public:
  MessageIdGenerator(std::uint32_t epoch, std::uint8_t lane) : epoch_(epoch), lane_(lane) {}

  MessageId next() { return MessageId{epoch_, lane_, ++seq_}; }

  std::uint32_t epoch() const { return epoch_; }
  std::uint8_t lane() const { return lane_; }

 private:
  std::uint32_t epoch_;
  std::uint8_t lane_;
  std::uint64_t seq_ = 0;
};

}  // namespace impulse::spool

template <>
struct std::hash<impulse::spool::MessageId> {
  std::size_t operator()(const impulse::spool::MessageId& id) const noexcept {
    std::uint64_t h = id.seq * 0x9E3779B97F4A7C15ull;
    h ^= (static_cast<std::uint64_t>(id.epoch) << 8 | id.lane) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
  }
};
