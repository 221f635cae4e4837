// DeliveryAgent: the seam between the scheduler and whatever delivers
// (docs/architecture.md rule 8): the connection manager of the delivery library in
// production, a scripted FakeAgent in tests. The queue decides what is due
// and, after the attempt, retry timing and bounces (rule 4); the agent
// decides connections, batching and MX choice, and reports per-recipient
// outcomes (queue/outcome.hpp).
//
// Contract (pull model, one DomainQueue = one (binding, domain)):
//   1. Whenever messages enter the queue's active queue (injection, the
//      sweep of due delayed messages, console flush or retry, the end of a
//      hold, a suspension lifted) and delivery is neither suspended nor held
//      for it, the queue calls agent.on_ready(queue) on the queue's own loop
//      (queue->loop()). Calls are coalesced to at most one pending post per
//      queue per loop turn, and made whether or not the agent already has
//      the queue: the agent's handling must be idempotent (a second call for
//      a queue it is already serving is a hint that more mail arrived, e.g.
//      to open another connection when the one it has is stalled). A job put
//      back with release() does not call on_ready.
//   2. The agent calls queue->take(max_messages) on queue->loop() whenever it
//      has capacity (at once from on_ready, or later from a connection that
//      became free). take() returns up to max_messages jobs (oldest first)
//      and moves them "in flight". A call that returns fewer jobs than asked
//      for (possibly none) means the queue is drained for now: the agent may
//      forget it; on_ready comes again when new work arrives. While take()
//      returns full batches, coming back is the agent's duty
//      (queue->waiting() tells how much is left; 0 while held).
//      A job taken but not attempted (no connection after all) goes back with
//      queue->release(job) (any thread; instead of complete, see 3): the
//      front of the active queue, no log record, no retry counted.
//   2a. Route verdicts: an AttemptResult may carry a Hold (queue/outcome.hpp);
//      the queue applies a kQueue hold after the outcomes, and
//      queue->hold(h) applies one without an attempt (on the loop). While
//      held, take() returns nothing and on_ready is not called; when the
//      hold ends (its time, or a console flush / message retry) on_ready is
//      called if messages are waiting.
//   3. For every job taken, the agent calls queue->complete(job, result)
//      exactly once, from any thread, with one Outcome per job recipient in
//      job order. The queue applies them on its loop (delivered / transient /
//      permanent: queue/outcome_handler.hpp). A job is never taken twice
//      while in flight; messages in flight are not touched by console
//      commands (flush, fail) until they complete.
//   4. suspend_delivery: on_ready is not called and take() returns nothing
//      while the queue's (binding, domain) is suspended; messages stay
//      queued. Lifting it (config reload) is noticed by the loop's
//      maintenance tick, which calls on_ready again.
//   5. Lifetime: the agent may keep the shared_ptr; the queue outlives it.
//      Stop the agent (no more take/complete) before destroying the
//      Scheduler.
//
// Threading: on_ready runs on the queue's loop; it must not block and must
// not throw. Failure modes: the agent reports failures as outcomes, never
// by not completing a job (a job never completed stays "in flight" until
// restart, when recovery queues it again).
#pragma once

#include <memory>

namespace impulse::queue {

class DomainQueue;

class DeliveryAgent {
 public:
  virtual ~DeliveryAgent() = default;
  virtual void on_ready(const std::shared_ptr<DomainQueue>& queue) = 0;
};

}  // namespace impulse::queue
