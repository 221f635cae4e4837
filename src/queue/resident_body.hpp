// ResidentBody: the body a message was received with, kept in memory for
// its first delivery attempt so that attempt does not read the spool back
// (bench/relay/README.md: `RocksDbStore::load_body` of the fresh message).
// It lives on the MessageHead (queue/queued_message.hpp); the first
// DeliveryJob::load_body() takes it, later ones read the spool.
//
// Memory is bounded twice over:
//   - ResidentBodyBudget caps the bytes held resident by one Scheduler
//     (kDefaultResidentBodyCap, 64 MiB): over the cap a body is simply not
//     kept (the spool has it).
//   - A body is dropped (release()) as soon as it cannot be the next thing
//     delivered: its queue is suspended or the message goes to the delayed
//     queue (Scheduler::enqueue does not keep it then; DomainQueue calls
//     release() when it delays a message).
// Bytes go back to the budget when the body is taken, released, or its
// MessageHead destroyed, whichever comes first (exactly once).
//
// Leaves to others: the body's bytes (immutable, shared: spool::Body),
// durability (the spool has every body; this is only a cache).
// Threading: keep() before the head is shared; take() and release() from
// any thread, lock-free (one atomic exchange). The budget is shared with
// every head that holds a body, so it outlives the Scheduler if it must.
// Failure modes: none (a body not kept is read from the spool).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "spool/message.hpp"

namespace impulse::queue {

inline constexpr std::uint64_t kDefaultResidentBodyCap = 64ull << 20;  // 64 MiB

class ResidentBodyBudget {
 public:
  explicit ResidentBodyBudget(std::uint64_t cap) : cap_(cap) {}
  // Reserves `bytes` if the total stays within the cap.
  bool try_reserve(std::uint64_t bytes);
  void give_back(std::uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t cap() const { return cap_; }

 private:
  const std::uint64_t cap_;
  std::atomic<std::uint64_t> used_{0};
};

class ResidentBody {
 public:
  ResidentBody() = default;
  ~ResidentBody() { release(); }
  ResidentBody(const ResidentBody&) = delete;
  ResidentBody& operator=(const ResidentBody&) = delete;

  // Keeps `body` if the budget has room; false (nothing kept) otherwise,
  // or when a body is already kept. Call before the head is shared.
  bool keep(spool::Body body, std::shared_ptr<ResidentBodyBudget> budget);
  // The kept body, once: later calls (from any thread) get null.
  spool::Body take() const noexcept;
  // Drops the kept body, if any.
  void release() const noexcept { take(); }
  bool resident() const noexcept { return held_.load(std::memory_order_acquire) != nullptr; }

 private:
  struct Held {
    spool::Body body;
    std::shared_ptr<ResidentBodyBudget> budget;
  };
  mutable std::atomic<Held*> held_{nullptr};
};

}  // namespace impulse::queue
