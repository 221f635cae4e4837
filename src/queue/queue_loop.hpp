// QueueLoop: the scheduler's state on one event loop (docs/architecture.md
// "Ownership"):
// the DomainQueues pinned to this loop, a min-heap of their wake-up times
// (the earliest delayed message, or the end of a hold, of each queue), the
// queues waiting for a suspension to be lifted, and one maintenance timer.
//
// Maintenance (maintain()): wakes every queue whose wake-up time has come
// (due delayed -> active, and the end of a route verdict's hold:
// DomainQueue::wake) and re-checks suspended queues. The timer runs it
// every delayed_queue_scan_interval (read from the configuration at each
// tick), so there is one timer per loop, never one per message or queue; a
// due message waits at most one interval (reference/momentum.md §7.1).
// Due-ness is judged by the Clock's wall time (ManualClock in tests, which
// call maintain() themselves instead of waiting for the timer).
//
// Threading: every member runs on io() only (the Scheduler posts there).
// Failure modes: none; an exception from a tick is logged and the timer
// keeps running.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "queue/domain_queue.hpp"
#include "queue/queue_context.hpp"
#include "queue/queue_key.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::queue {

class QueueLoop {
 public:
  QueueLoop(boost::asio::io_context& io, QueueContext& ctx);
  ~QueueLoop();
  QueueLoop(const QueueLoop&) = delete;
  QueueLoop& operator=(const QueueLoop&) = delete;

  boost::asio::io_context& io() const { return io_; }

  // The queue for key, created on first use.
  const std::shared_ptr<DomainQueue>& queue(const QueueKey& key, std::string_view binding_group);
  std::shared_ptr<DomainQueue> find(const QueueKey& key) const;
  template <class F>
  void for_each(F&& f) const {
    for (const auto& entry : queues_) f(*entry.second);
  }

  // Called by queues.
  void schedule_wake(DomainQueue& queue, spool::SpoolTime when);
  void watch_suspended(DomainQueue& queue);

  void maintain();
  void start_timer();
  void stop_timer();

 private:
  struct Wake {
    spool::SpoolTime when{};
    DomainQueue* queue = nullptr;
  };
  struct Timer;
  void arm();

  boost::asio::io_context& io_;
  QueueContext& ctx_;
  std::unordered_map<QueueKey, std::shared_ptr<DomainQueue>, QueueKeyHash> queues_;
  std::vector<Wake> wakes_;  // min-heap on when
  std::vector<DomainQueue*> suspended_;
  std::unique_ptr<Timer> timer_;
};

}  // namespace impulse::queue
