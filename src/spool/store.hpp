// Store: the spool seam (SPEC §5 "durable before acknowledged";
// docs/architecture.md "Life of a message", rules 6 and 8). Implementations:
// RocksDbStore (spool/rocksdb_store.hpp, production, under `Spoolbase`) and
// MemoryStore (spool/memory_store.hpp, the test double). Both pass the same
// typed test suite (tests/unit/spool/store_contract_test.cpp).
//
// What it does: journals accepted messages (metadata record + body), their
// recipients' delivery state, and their removal; hands every stored message
// back at start-up (recover). What it leaves to others: ids come from a
// MessageIdGenerator seeded with id_epoch(); queueing, retry timing and
// deciding when a message is finished belong to the queue; the SMTP reply
// belongs to the listener.
//
// Threading: every method may be called from any thread. Writes never block
// the caller on I/O: they are queued and completed asynchronously, and their
// callback runs exactly once, on a thread owned by the store (RocksDbStore:
// its writer thread; MemoryStore: inline, see there). Callbacks must be short
// and must not throw: post the result to your own executor (Asio stays out of
// this library). After close(), writes fail at once, with the callback run
// inline on the calling thread.
//
// Durability: a successful callback of commit_new/update_recipients/remove
// means the change is on disk (synced WAL) and survives kill -9 and power
// loss. Only then may the listener answer 250. A crash may lose a change
// whose callback has not run yet (the client got no 250: it retries), may
// repeat a delivery that was in flight, but never loses an acknowledged
// message.
//
// Failure modes: expected failures are Error values: in the callback for
// writes (disk full, I/O error, read-only, closed: answer 451), as
// Result for reads. Error::code is an errno value where one fits:
// ENOENT no such message, EINVAL bad argument (recipient index), ESHUTDOWN
// store closed, EIO write or read failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "spool/message.hpp"

namespace impulse::spool {

// Called exactly once per write with its outcome.
using DoneCallback = std::function<void(Result<void>)>;

// New delivery state for one recipient, by its index in Message::recipients
// (indices never change: recipients are never reordered or erased).
struct RecipientUpdate {
  std::uint32_t index = 0;
  RecipientStatus status;
};

// Applies `updates` to `message` (all or nothing). EINVAL for an index out
// of range. The one definition of what an update means, for every store.
Result<void> apply_updates(Message& message, std::span<const RecipientUpdate> updates);

struct RecoverReport {
  std::size_t messages = 0;          // handed to the visitor
  std::vector<std::string> corrupt;  // "KEY: reason" for each record skipped (left in place)
  std::uint64_t tombstones_skipped = 0;  // deleted entries the scan stepped over (RocksDB)
};

struct StoreStats {
  std::uint64_t commits = 0;       // commit_new calls completed successfully
  std::uint64_t updates = 0;       // update_recipients calls completed successfully
  std::uint64_t removes = 0;       // remove calls completed successfully
  std::uint64_t failed = 0;        // writes completed with an Error
  std::uint64_t batches = 0;       // synced writes (one fsync each) that carried them
  // Memory the store holds now (RocksDB: its memtables, written but not yet
  // flushed to a table file, and its block cache; /metrics
  // impulse_spool_memory_bytes). 0 for a store that does not say.
  std::uint64_t memtable_bytes = 0;
  std::uint64_t block_cache_bytes = 0;
};

// The error every operation of a closed store answers (ESHUTDOWN).
Error closed_error();

class Store {
 public:
  virtual ~Store() = default;

  // The epoch this store reserved when it was opened; seed every
  // MessageIdGenerator with it (see message_id.hpp).
  virtual std::uint32_t id_epoch() const = 0;

  // Journals a new message (metadata and body). `message.id` must be fresh.
  // on_durable(ok) only once both are synced; on_durable(Error) if not
  // stored: then nothing of it is visible after a restart either.
  virtual void commit_new(Message message, Body body, DoneCallback on_durable) = 0;

  // Replaces the status of the given recipients (state, retries, attempt
  // times, last reply). Durable when on_done(ok) runs. ENOENT if the message
  // is not stored, EINVAL for a bad index (nothing changed then).
  // on_done may be empty.
  virtual void update_recipients(const MessageId& id, std::vector<RecipientUpdate> updates,
                                 DoneCallback on_done) = 0;

  // Deletes metadata and body once every recipient is final. Removing an id
  // that is not stored succeeds (idempotent). on_done may be empty.
  virtual void remove(const MessageId& id, DoneCallback on_done) = 0;

  // Synchronous point reads (memtable, cache or one disk read). They see
  // every write whose callback has run. ENOENT if absent.
  virtual Result<Body> load_body(const MessageId& id) const = 0;
  virtual Result<Message> load_message(const MessageId& id) const = 0;

  // Calls `visitor` with every stored message's metadata, in id order, from
  // a consistent snapshot. Meant for start-up, before new commits. Corrupt
  // records are skipped, listed in the report and left in place; an Error
  // only if the scan itself fails.
  virtual Result<RecoverReport> recover(const std::function<void(Message&&)>& visitor) = 0;

  // Any thread; never waits for a write or a recovery in progress (it is
  // called on event loops by /readyz and /metrics).
  virtual StoreStats stats() const = 0;

  // Completes every queued write (callbacks run), then releases the spool.
  // Idempotent; the destructor calls it. Never call it from a write callback.
  virtual void close() = 0;
};

}  // namespace impulse::spool
