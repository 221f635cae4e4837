// DeliveryAgent: the seam between the scheduler and whatever delivers
// (house rule 8): the connection manager of the delivery library in
// production, a scripted FakeAgent in tests. The queue decides what is due
// and, after the attempt, retry timing and bounces (house rule 4); the agent
// decides connections, batching and MX choice, and reports per-recipient
// outcomes (queue/outcome.hpp).
//
// Contract (pull model, one DomainQueue = one (binding, domain)):
//   1. When a queue has messages waiting in its active queue and delivery is
//      not suspended for it, the queue calls agent.on_ready(queue) on the
//      queue's own loop (queue->loop()). It does so once, then not again
//      until the agent has drained it (see 2).
//   2. The agent calls queue->take(max_messages) on queue->loop() whenever it
//      has capacity (at once from on_ready, or later from a connection that
//      became free). take() returns up to max_messages jobs (oldest first)
//      and moves them "in flight". A call that returns fewer jobs than asked
//      for (possibly none) means the queue is drained: the agent may forget
//      it, and the queue calls on_ready again when new work arrives. While
//      take() returns full batches, coming back is the agent's duty
//      (queue->waiting() tells how much is left).
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
