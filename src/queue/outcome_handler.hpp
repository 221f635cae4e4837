// OutcomeHandler: the one place where the outcome of an attempt becomes
// queue state, spool state, log records, counters and bounces
// (docs/architecture.md "Life of a message"; rule 4: the queue, not the agent, decides
// retry timing). Every path that ends or defers a recipient goes through
// apply(): agent results, console `fail domain` / `message fail`, and
// never_attempt_expired_messages.
//
// Per recipient of one queue entry (one message, one (binding, domain)):
//   delivered -> spool state delivered, mainlog D.
//   transient -> queue/retry_policy.hpp decides (never_retry, max_retries,
//                message_expiration) with the options resolved now:
//                retry: state pending with retries + 1 and the next attempt
//                time, mainlog T + bouncelog T, back to the delayed queue
//                (the caller does that with the returned verdict);
//                no retry: permanent with the policy's [internal] text.
//   permanent -> spool state failed, mainlog P + bouncelog B (class from
//                protocol/bounce_classify.hpp), and one bounce for all the
//                entry's permanent failures of this attempt
//                (queue/bounce_maker.hpp, submitted through the scheduler),
//                unless `quiet`, the sender was null or generate_bounces is
//                false.
//   DSN reports besides bounces (queue/dsn_reports.hpp): one success report
//   for the delivered recipients that asked NOTIFY=SUCCESS when the next hop
//   will not report ("delivered" / "relayed"), and one delay warning per
//   message for deferred recipients that asked NOTIFY=DELAY (or gave no
//   NOTIFY, with generate_delay_dsn) once delay_dsn_retry_interval has
//   passed; never for a null sender or `quiet`; generate_bounces governs
//   failure notices only.
//   When the message's last pending recipient (over all its queues) becomes
//   final, the message is removed from the spool instead of updated.
//   Spool writes are asynchronous; their failures go to the problem log
//   (the queue carries on: at worst a restart re-queues a recipient that
//   was already final, SPEC §5 "may duplicate, never lose"). A bounce is
//   submitted before the original's removal, so the spool sees the bounce
//   first.
//
// Leaves to others: moving the entry between active/delayed (DomainQueue),
// the retry arithmetic (retry_policy), DSN layout (protocol/dsn.hpp).
// Threading: call on the loop that owns the queue entry; it reads the
// shared context (thread-safe) and the entry's MessageHead.
// Failure modes: none returned; store/bounce problems are logged.
// Spec: SPEC §5, §8; reference/momentum.md §7.2, §7.3, §10.1.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "queue/bounce_maker.hpp"
#include "queue/outcome.hpp"
#include "queue/queue_context.hpp"
#include "queue/queue_key.hpp"
#include "queue/queue_options.hpp"
#include "queue/queued_message.hpp"

namespace impulse::queue {

struct AttemptFacts {
  const QueueKey* key = nullptr;
  std::string_view binding_group;
  const MessageHead* message = nullptr;
  std::span<const QueuedRecipient> recipients;
  std::span<const Outcome> outcomes;  // one per recipient, same order
  std::uint32_t retries = 0;          // retries made before this attempt
  spool::SpoolTime first_attempt{};   // epoch = never attempted
  std::string_view connection_id;
  std::string_view batch_id;
  bool quiet = false;                 // no bounce whatever happens (console "quiet")
  // The options in force (the queue's per-snapshot cache); nullptr = read
  // them from the current snapshot.
  const QueueOptions* options = nullptr;
};

struct AttemptVerdict {
  std::vector<QueuedRecipient> retry;  // still pending: to the delayed queue
  std::uint32_t retries = 0;           // their retry count from now on
  spool::SpoolTime next_attempt{};     // when they are due
  std::uint64_t delivered = 0;         // recipients
  std::uint64_t failed = 0;            // recipients
  std::uint64_t deferred = 0;          // recipients (== retry.size())
  bool message_removed = false;        // the message's last recipient became final
};

class OutcomeHandler {
 public:
  explicit OutcomeHandler(QueueContext& ctx) : ctx_(ctx) {}

  AttemptVerdict apply(const AttemptFacts& facts) const;

 private:
  struct Pass;  // one apply(): the facts, the time, and what it has decided so far
  void record_delivered(Pass& p, std::size_t i) const;
  void defer_transients(Pass& p) const;
  void fail_permanently(Pass& p) const;
  AttemptVerdict summarise(Pass& p) const;
  void warn_of_delay(Pass& p) const;
  void bounce(const AttemptFacts& facts, const QueueOptions& options, std::span<const FailedRecipient> failed,
              WallTime now) const;
  void report(const AttemptFacts& facts, const QueueOptions& options, std::span<const FailedRecipient> recipients,
              WallTime now) const;

  QueueContext& ctx_;
};

}  // namespace impulse::queue
