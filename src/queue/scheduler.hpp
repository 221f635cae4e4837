// Scheduler: the queue side of Impulse (SPEC §5; docs/architecture.md
// "Life of a message"; reference/momentum.md §7). Accepts durable messages, splits
// them into per-(binding, domain) DomainQueues, pins each queue to one event
// loop (hash of the key over the loops given at construction), hands due
// work to the DeliveryAgent (queue/delivery_agent.hpp), applies outcomes
// (queue/outcome_handler.hpp: spool updates, logs, retries, bounces), runs
// the delayed-queue maintenance, recovers the spool at start-up, and
// answers the console.
//
// Construction (explicit; impulsed wires it):
//   IdSource ids(store.id_epoch());
//   routing::DefaultBindingPolicy policy;  routing::Router router(policy);
//   Scheduler scheduler(SchedulerDeps{
//       .loops = loops.all(), .store = store, .agent = agent, .log = event_log,
//       .clock = clock, .config = [&live] { return live.current(); },
//       .ids = ids, .router = router, .hostname = "mta.example.com"});
//   scheduler.recover();   // before the listeners open; loops may not run yet
//   scheduler.start();     // arms one maintenance timer per loop
//   MessageInjector injector({store, scheduler, router, ids, event_log, clock, hostname});
// Every referenced object must outlive the Scheduler.
// Shutdown order: stop listeners, then the agent (no more take/complete),
// call stop(), close the store (its last callbacks may still queue bounces),
// destroy the Scheduler, then the io_contexts (handlers still queued in them
// are dropped unexecuted, which is safe).
//
// Threading: every public member is thread-safe. Work is posted to the loop
// that owns the queue; console calls fan out to every loop and call their
// completion exactly once, on one of the loop threads, when every loop has
// answered. Nothing blocks.
// Failure modes: spool write failures are logged (EventLog::problem) and
// the queue carries on; recover() returns the store's scan Error.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "config/config.hpp"
#include "queue/domain_queue.hpp"
#include "queue/queue_context.hpp"
#include "queue/queue_counters.hpp"
#include "queue/resident_body.hpp"
#include "spool/store.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::routing {
class Router;
struct QueueGroup;
}

namespace impulse::queue {

class DeliveryAgent;
class EventLog;
class IdSource;
class QueueLoop;

struct SchedulerDeps {
  std::vector<boost::asio::io_context*> loops;  // at least one; each run by one thread
  spool::Store& store;
  DeliveryAgent& agent;
  EventLog& log;
  const Clock& clock;
  std::function<config::ConfigPtr()> config;  // the live snapshot, read per decision
  IdSource& ids;                              // shared with the injector (bounce ids)
  const routing::Router& router;              // binds and splits bounces
  std::string hostname;                       // bounces' Reporting-MTA and default mailerdaemon
  // Bytes of freshly received bodies kept in memory for their first attempt
  // (queue/resident_body.hpp); 0 = never keep one.
  std::uint64_t resident_body_cap = kDefaultResidentBodyCap;
};

// Selects queues for console commands: empty = every binding / domain.
struct QueueFilter {
  std::optional<std::string> binding;
  std::optional<std::string> domain;  // compared lower-case
};

class Scheduler final : private GeneratedMessageSink {
 public:
  explicit Scheduler(SchedulerDeps deps);
  ~Scheduler() override;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Arms / cancels the per-loop maintenance timers.
  void start();
  void stop();

  // A durable message (injected or recovered): its pending recipients are
  // queued, per (binding, domain); next attempts in the future go to the
  // delayed queue. The queue's MessageHead carries the client facts
  // (peer_ip, helo). `body` (the injector's, just made durable; may be
  // null) is kept for the first attempt when some queue of the message can
  // take it now (due, not suspended) and the resident-body budget has room.
  // Any thread.
  void enqueue(const spool::Message& message, spool::Body body = nullptr);
  // Counts an accepted message (console "Received Messages"); the injector calls it.
  void count_received() { ctx_.counters.received.fetch_add(1, std::memory_order_relaxed); }

  // Start-up: queues every stored message's pending recipients again and
  // removes messages whose recipients are all final. Call once, before new
  // injections and before the loops run (it fills their queues from a
  // second thread). One configuration snapshot serves the whole scan, the
  // options it needs are read once per (binding, domain), and the queue
  // additions are applied in batches of kRecoveryBatch on that second
  // thread while this one goes on reading the spool: a million queued
  // messages are back in a few seconds (bench/bigqueue).
  Result<spool::RecoverReport> recover();
  static constexpr std::size_t kRecoveryBatch = 1024;

  // Runs loop maintenance (sweep due delayed messages, re-check suspended
  // queues) on every loop now, then done() (may be empty).
  void maintain_now(std::function<void()> done = {});

  // ---- console ----
  SummaryCounts summary() const { return ctx_.counters.snapshot(); }
  // Bytes of received bodies now kept for a first attempt (tests, metrics).
  std::uint64_t resident_body_bytes() const { return body_budget_->used(); }
  // Every queue the filter matches, empty ones too (their lifetime counts
  // are what `binding summary` and `domain` add up); sorted by key.
  void queue_sizes(QueueFilter filter, std::function<void(std::vector<QueueSizes>)> done);
  void show_queue(QueueKey key, std::size_t limit, std::size_t offset,
                  std::function<void(std::vector<QueuedMessageInfo>)> done);
  // Every queue holding part of the message (empty if not queued).
  void find_message(spool::MessageId id, std::function<void(std::vector<QueuedMessageInfo>)> done);
  // `flush domain` / `binding flush domain`: delayed -> active; count of messages moved.
  void flush(QueueFilter filter, std::function<void(std::size_t)> done);
  // `fail domain [quiet]` / `binding fail domain`: count of messages failed.
  void fail_queues(QueueFilter filter, bool quiet, std::function<void(std::size_t)> done);
  // `message retry` / `message fail [quiet]`: kDone if any queue acted,
  // else kInFlight if it is being delivered, else kNotFound.
  void retry_message(spool::MessageId id, std::function<void(MessageAction)> done);
  void fail_message(spool::MessageId id, bool quiet, std::function<void(MessageAction)> done);

  std::size_t loop_count() const { return loops_.size(); }
  // Which loop owns a key (stable for the life of the Scheduler).
  std::size_t loop_index(const QueueKey& key) const;

 private:
  struct Recovery;  // recover()'s snapshot, option cache and per-loop batches (scheduler.cpp)
  // enqueue() proper; during recovery (recovery != null) its additions are
  // batched and its options come from the recovery's cache.
  void enqueue(const spool::Message& message, spool::Body body, Recovery* recovery);
  void submit_generated(spool::Message message, spool::Body body) override;
  // submit_generated's commit; a failed one (a full spool disk) is tried
  // again a second later on loop 0, so a bounce is not lost while the
  // original's removal is kept by the spool and written once there is room.
  void commit_generated(spool::Message message, spool::Body body, bool retrying);
  // Whether some queue of the message would hand it out now (a due
  // recipient, delivery not suspended): only then is its body kept.
  bool first_attempt_soon(const spool::Message& message, const std::vector<routing::QueueGroup>& groups) const;
  template <class T, class PerLoop>
  void gather(PerLoop per_loop, std::function<void(std::vector<T>)> done);
  template <class PerQueue>
  void for_matching(const QueueFilter& filter, PerQueue per_queue, std::function<void(std::size_t)> done);

  QueueContext ctx_;
  std::shared_ptr<ResidentBodyBudget> body_budget_;  // shared with the heads holding a body
  std::vector<std::unique_ptr<QueueLoop>> loops_;
};

}  // namespace impulse::queue
