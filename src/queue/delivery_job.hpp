// DeliveryJob: one message's recipients of one (binding, domain) queue,
// handed to the delivery agent for one attempt by DomainQueue::take() and
// given back with DomainQueue::complete(job, AttemptResult) (see
// queue/delivery_agent.hpp for the whole contract).
//
// The agent reads: id, sender, size, recipients (the AttemptResult's
// outcomes must come in this order, one per recipient), retries (for its own
// information; the queue decides retry timing), the client facts for
// XCLIENT (message->peer_ip, message->helo), and the body through
// load_body(): the body received with the message for the first hand-out
// if it is still resident (MessageHead::resident_body, taken by that call),
// else a spool read. It may set connection_id (and batch_id) for the log
// records of this attempt. Everything else it must give back unchanged.
//
// Threading: a value; may move between threads. load_body() is thread-safe
// (Store reads are; the resident body is taken atomically).
// Failure modes: load_body() returns the store's Error (ENOENT if the
// message vanished): report it as a transient outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "queue/queue_key.hpp"
#include "queue/queued_message.hpp"
#include "spool/store.hpp"

namespace impulse::queue {

struct DeliveryJob {
  std::shared_ptr<const MessageHead> message;
  std::vector<QueuedRecipient> recipients;
  QueueKey key;                // the queue it came from
  std::uint32_t retries = 0;   // retries made before this attempt (0 = first attempt)
  std::string connection_id;   // set by the agent: mainlog/bouncelog connid of this attempt
  std::string batch_id;        // set by the agent if it has one: the logs' batchid

  // Identifies this hand-out; the queue rejects a completion that does not
  // match (a job completed twice). Do not change.
  std::uint32_t ticket = 0;
  const spool::Store* store = nullptr;

  const spool::MessageId& id() const { return message->id; }
  const std::string& sender() const { return message->sender; }
  std::uint64_t size() const { return message->size; }
  Result<spool::Body> load_body() const {
    if (spool::Body resident = message->resident_body.take()) return resident;
    return store->load_body(message->id);
  }
};

}  // namespace impulse::queue
