// IdSource: makes fresh MessageIds from any thread (injection on every
// event loop, bounces on the queue loops). A spool::MessageIdGenerator
// belongs to one thread; this is its shared, lock-free sibling: one atomic
// counter under one (epoch, lane). Seed it with Store::id_epoch() so no two
// runs of the daemon on one spool share ids (spool/message_id.hpp).
//
// Leaves to others: the id format (spool/message_id.hpp).
// Threading: next() is thread-safe (one relaxed fetch_add).
// Failure modes: none (a 64-bit sequence does not run out).
#pragma once

#include <atomic>
#include <cstdint>

#include "spool/message_id.hpp"

namespace impulse::queue {

class IdSource {
 public:
  explicit IdSource(std::uint32_t epoch, std::uint8_t lane = 0) : epoch_(epoch), lane_(lane) {}
  IdSource(const IdSource&) = delete;
  IdSource& operator=(const IdSource&) = delete;

  spool::MessageId next() {
    return spool::MessageId{epoch_, lane_, seq_.fetch_add(1, std::memory_order_relaxed) + 1};
  }

 private:
  const std::uint32_t epoch_;
  const std::uint8_t lane_;
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace impulse::queue
