// Counters and snapshots for the console (SPEC §7 `summary`, `mailq`,
// `showqueue`, `binding summary`, `message details`; reference/momentum.md
// §8.2).
//
// QueueCounters: process-wide atomics the queues update as they go (relaxed
// increments; a snapshot is a consistent-enough view for a console, never
// used for decisions). Units: received = messages accepted by an injector;
// delivered / failed / transient_failures = recipients (one per mainlog D, P,
// T record); active / in_flight / delayed = queue entries (one message's
// recipients of one (binding, domain) queue).
// The per-queue structs are gathered from the loops on demand
// (Scheduler::queue_sizes and friends).
//
// Threading: QueueCounters is thread-safe; the rest are plain values.
// Failure modes: none.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "queue/queue_key.hpp"
#include "spool/message.hpp"

namespace impulse::queue {

struct SummaryCounts {
  std::uint64_t received = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;              // permanent failures (P records)
  std::uint64_t transient_failures = 0;  // T records
  std::uint64_t active = 0;              // waiting in active queues + in flight
  std::uint64_t in_flight = 0;           // part of active: handed to the agent
  std::uint64_t delayed = 0;
  std::uint64_t total() const { return active + delayed; }
};

struct QueueCounters {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> transient_failures{0};
  std::atomic<std::int64_t> waiting{0};  // active, not in flight
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> delayed{0};

  SummaryCounts snapshot() const {
    auto pos = [](std::int64_t v) { return v < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(v); };
    SummaryCounts s;
    s.received = received.load(std::memory_order_relaxed);
    s.delivered = delivered.load(std::memory_order_relaxed);
    s.failed = failed.load(std::memory_order_relaxed);
    s.transient_failures = transient_failures.load(std::memory_order_relaxed);
    s.in_flight = pos(in_flight.load(std::memory_order_relaxed));
    s.active = pos(waiting.load(std::memory_order_relaxed)) + s.in_flight;
    s.delayed = pos(delayed.load(std::memory_order_relaxed));
    return s;
  }
};

// One queue's sizes and lifetime counts (mailq, binding summary, domain).
struct QueueSizes {
  QueueKey key;
  std::string binding_group;
  std::uint64_t active = 0;     // waiting + in flight
  std::uint64_t in_flight = 0;
  std::uint64_t delayed = 0;
  std::uint64_t received = 0;   // entries ever added (new messages and recovered ones)
  std::uint64_t delivered = 0;  // recipients
  std::uint64_t failed = 0;     // recipients
  bool suspended = false;
  // A route verdict in force (DomainQueue::hold): no hand-outs until then.
  std::optional<spool::SpoolTime> held_until;
  std::string held_reason;
  std::uint64_t total() const { return active + delayed; }
};

enum class EntryState : std::uint8_t { kActive, kInFlight, kDelayed };

// One queued message for showqueue / message details.
struct QueuedMessageInfo {
  QueueKey key;
  spool::MessageId id;
  EntryState state = EntryState::kActive;
  spool::SpoolTime received{};
  spool::SpoolTime next_attempt{};  // epoch = now (active)
  std::uint32_t retries = 0;
  std::uint64_t size = 0;
  std::string sender;
  std::vector<std::string> recipients;
};

std::string_view entry_state_name(EntryState s);  // "active", "in flight", "delayed"

}  // namespace impulse::queue
