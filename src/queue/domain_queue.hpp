// DomainQueue: the queues of one (binding, domain) (SPEC §5;
// reference/momentum.md §7.1): an active queue (FIFO, due now: the
// delivery agent pulls from it) and a delayed queue (min-heap by next
// attempt time), plus the messages handed to the agent ("in flight").
//
// Ownership: each DomainQueue is pinned to one event loop (chosen by the
// Scheduler from a hash of its key) and every member below, except
// complete() and release(), must be called on that loop (loop()); its state
// therefore needs no locks (docs/architecture.md "Ownership"). complete() and release()
// may be called from any thread: they post to the loop.
//
// Memory: a queued message costs one hash-map entry (shared MessageHead,
// recipient indices and addresses, retry state) plus a 24-byte slot in the
// active FIFO or a 32-byte slot in the delayed heap; no body, no timer
// (the loop's maintenance tick sweeps due queues: QueueLoop). Operations are
// O(1) or O(log n); slots made stale by console moves are skipped lazily
// and compacted when they outnumber live ones.
//
// Agent side: see queue/delivery_agent.hpp (take / complete / release /
// hold / waiting).
// Scheduler side: add, sweep (due delayed -> active), flush (all delayed ->
// active), retry / fail one message, fail_all (console `fail domain`),
// sizes and listings for the console.
//
// Route verdicts (hold): the queue hands nothing out until a time it
// decides (SPEC §3 rule 5, §11); one paniclog line per hold, no record per
// message. The hold ends at its time (the loop's wake-up, QueueLoop), or
// when the console says "try now" (flush, message retry).
//
// Options: the QueueOptions of this (binding, domain) are cached per
// configuration snapshot (re-read only when ctx.snapshot() changes), so a
// `config reload` applies to the next decision without re-resolving ten
// options per hand-out.
//
// Leaves to others: what an outcome means (queue/outcome_handler.hpp),
// retry arithmetic (queue/retry_policy.hpp), when to sweep (QueueLoop),
// connections (the agent).
// Failure modes: none returned; an agent completing or releasing a job that
// is not in flight (twice, or after a restart of the queue) is logged and
// ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "queue/delivery_job.hpp"
#include "queue/outcome.hpp"
#include "queue/queue_context.hpp"
#include "queue/queue_counters.hpp"
#include "queue/queue_key.hpp"
#include "queue/queue_options.hpp"
#include "queue/queued_message.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::queue {

class QueueLoop;
struct AttemptVerdict;

// Result of a console action on one message.
enum class MessageAction { kNotFound, kDone, kInFlight };

class DomainQueue : public std::enable_shared_from_this<DomainQueue> {
 public:
  DomainQueue(QueueKey key, std::string binding_group, QueueLoop& loop, QueueContext& ctx);
  DomainQueue(const DomainQueue&) = delete;
  DomainQueue& operator=(const DomainQueue&) = delete;

  const QueueKey& key() const { return key_; }
  const std::string& binding_group() const { return binding_group_; }
  boost::asio::io_context& loop() const;

  // ---- Delivery agent (queue/delivery_agent.hpp) ----
  // Up to max_messages due messages, oldest first, now in flight. Empty
  // while suspend_delivery is set (and then messages past
  // message_expiration fail at the queue's next recheck; under a dead
  // domain's to_delayed hold, at the hold: fail_expired).
  // With never_attempt_expired_messages, expired messages are failed here
  // instead of handed out.
  std::vector<DeliveryJob> take(std::size_t max_messages);
  // Any thread. result.outcomes[i] belongs to job.recipients[i]; missing
  // outcomes count as transient failures (and are logged as an agent bug).
  // Then a result.hold with Target::kQueue is applied (hold()); a kHost
  // hold is the agent's own and ignored here.
  void complete(DeliveryJob job, AttemptResult result);
  // Any thread. A job taken but not attempted goes back to the front of the
  // active queue (or to the delayed queue at the hold time while a
  // to_delayed hold is in force): no log record, retries and first-attempt
  // time unchanged, on_ready not called. A job not in flight is logged and
  // ignored, as for complete().
  void release(DeliveryJob job);
  // Route verdict (on the loop): no hand-outs until now + (h.at_least, or
  // retry_interval when 0); extends, never shortens, a hold in force. With
  // h.to_delayed the active (not in flight) messages move to the delayed
  // queue, due at the hold's end. One paniclog line; h.target and h.host
  // are not looked at (the caller filters kHost).
  void hold(const Hold& h);
  std::optional<spool::SpoolTime> held_until() const { return held_until_; }
  const std::string& held_reason() const { return held_reason_; }
  // Messages in the active queue, not in flight; 0 while held (the agent
  // must see no work).
  std::size_t waiting() const { return held_until_ ? 0 : waiting_; }

  // ---- Scheduler side ----
  // Queues one message's recipients of this queue. next_attempt in the
  // future (per `now` of the clock) -> delayed, else active.
  void add(std::shared_ptr<const MessageHead> message, std::vector<QueuedRecipient> recipients,
           std::uint32_t retries, spool::SpoolTime first_attempt, spool::SpoolTime next_attempt);
  // Moves delayed messages due at `now` to the active queue; returns how many.
  std::size_t sweep(spool::SpoolTime now);
  // Moves every delayed message to the active queue (console `flush`) and
  // lifts a hold.
  std::size_t flush();
  // Console `message retry`: a delayed message becomes active now; a hold on
  // the queue holding it is lifted.
  MessageAction retry(const spool::MessageId& id);
  // Console `message fail [quiet]`: "554 manually failed".
  MessageAction fail(const spool::MessageId& id, bool quiet);
  // Console `fail domain [quiet]`: every queued (not in-flight) message
  // fails with "554 5.7.0 [internal] Message manually purged".
  std::size_t fail_all(bool quiet);

  QueueSizes sizes() const;
  // showqueue: active (FIFO order), in flight, then delayed (by due time).
  std::vector<QueuedMessageInfo> list(std::size_t limit, std::size_t offset) const;
  std::optional<QueuedMessageInfo> find(const spool::MessageId& id) const;
  bool empty() const { return entries_.empty(); }

  // Loop maintenance: the wake-up time this queue asked its loop for, the
  // wake-up itself (ends a hold whose time has come, sweeps if `when` is
  // the sweep time asked for), and a re-check after a suspension may have
  // been lifted.
  std::optional<spool::SpoolTime> wake_time() const { return scheduled_wake_; }
  void wake(spool::SpoolTime when, spool::SpoolTime now);
  void recheck();

  // The options in force (cached per configuration snapshot), and how many
  // times they were read from a snapshot (a test seam for the cache).
  const QueueOptions& options() const;
  std::uint64_t options_reads() const { return options_reads_; }

 private:
  friend class QueueLoop;
  struct Entry {
    std::shared_ptr<const MessageHead> head;
    std::vector<QueuedRecipient> recipients;
    spool::SpoolTime next_attempt{};
    spool::SpoolTime first_attempt{};
    std::uint32_t retries = 0;
    std::uint32_t gen = 0;  // bumped on every state change; stale slots and tickets do not match
    EntryState state = EntryState::kActive;
    bool first_attempt_by_take = false;  // first_attempt set by the take in flight (undone by release)
  };
  using Entries = std::unordered_map<spool::MessageId, Entry>;
  struct Slot {
    spool::MessageId id;
    std::uint32_t gen = 0;
  };
  struct DelayedSlot {
    spool::SpoolTime due{};
    spool::MessageId id;
    std::uint32_t gen = 0;
  };

  void finish(DeliveryJob job, AttemptResult result);
  void put_back(DeliveryJob job);
  Entries::iterator in_flight_entry(const DeliveryJob& job, std::string_view what);
  void end_hold();
  void fail_expired(EntryState state);  // no attempt will come: those past message_expiration fail
  void fail_entry(Entries::iterator it, const Outcome& outcome, bool quiet);
  void to_active(const spool::MessageId& id, Entry& e);
  void to_delayed(const spool::MessageId& id, Entry& e, spool::SpoolTime due);
  void to_in_flight(Entry& e);
  void leave(Entry& e);
  void erase(Entries::iterator it);
  void count(EntryState s, std::int64_t delta);
  bool live(const Slot& s, EntryState state) const;
  void request_notify();
  void notify();
  void compact();
  QueuedMessageInfo info(const spool::MessageId& id, const Entry& e) const;

  const QueueKey key_;
  const std::string binding_group_;
  QueueLoop& loop_;
  QueueContext& ctx_;

  Entries entries_;
  std::deque<Slot> active_;
  std::vector<DelayedSlot> delayed_;  // min-heap on due
  std::size_t waiting_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t delayed_count_ = 0;
  std::optional<spool::SpoolTime> scheduled_wake_;
  bool notify_posted_ = false;  // a notify() is queued on the loop
  bool watched_ = false;        // on the loop's suspended list

  // At most the received time of every message queued here (exact after a
  // fail_expired scan; nullopt: none queued since): fail_expired scans only
  // once this bound is past message_expiration.
  std::optional<spool::SpoolTime> oldest_received_;

  std::optional<spool::SpoolTime> held_until_;  // route verdict in force
  std::string held_reason_;
  bool hold_to_delayed_ = false;  // the hold in force sends released jobs and new arrivals to delayed

  // Options cache (logically const): valid while its snapshot is current.
  mutable QueueOptions options_;
  mutable const config::Config* options_for_ = nullptr;
  mutable std::weak_ptr<const config::Config> options_snapshot_;
  mutable bool options_cached_ = false;
  mutable std::uint64_t options_reads_ = 0;

  std::uint64_t received_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace impulse::queue
