// Mm7MessageIds: which Impulse message an MMSC's MessageID belongs to
// (SPEC §14 "Delivery reports": Impulse keeps the MMSC MessageID -> message
// id mapping for message_expiration), kept durably so that a
// DeliveryReportReq, which names only the MMSC's MessageID, is recorded with
// the submission's message id and recipient even after a restart or a crash.
//
// The MM7 sessions remember() each delivered submission when its SubmitRsp
// arrives and wait for the entry to be durable before the delivery is
// reported to the queue (so it is on disk before the mainlog D record); the
// HTTP listener's MM7 route find()s it. Entries expire at the time given
// (the domain's message_expiration after the SubmitRsp): find() ignores an
// expired entry, and a sweep removes expired entries in steps of at most
// `sweep_batch` (every `sweep_interval`, by the writer thread: on its idle
// tick or with the batch that finds a sweep due; a full step queues the next
// one behind the writes already waiting). At most
// `capacity` entries are kept: a new one drops the entry nearest its expiry
// (for one message_expiration, the oldest).
//
// Where it lives, and why not in the spool: a RocksDB database of its own in
// <Spoolbase>/mm7_message_ids (like the webhooks' queues under
// <Spoolbase>/webhooks). The spool (src/spool/) is the message store seam
// below routing and queue, with one contract for RocksDbStore and
// MemoryStore and a recovery scan of messages; MM7 MessageIDs are
// delivery/mm7's own knowledge, so a key range there would put a delivery
// method's data in the layer below it, and a failure of this map must never
// touch the spool's writer (which fails injections with 451). RocksDB gives
// the synced WAL with group commit and the expiry-ordered scan this needs.
// Layout: mm7_id_keys.hpp.
//
// Writes (remember, sweep) go through one writer thread
// (spool/group_commit.hpp): everything queued meanwhile becomes one synced
// WriteBatch. find() is a RocksDB point read on the caller's thread (memtable
// or block cache, at worst one small disk read, like the spool's body reads
// on the delivery loops). open() counts the entries once (a scan of the
// keys, bounded by `capacity`) and starts the writer thread.
//
// Threading: one instance for the daemon, shared by every event loop and the
// HTTP listener; every member may be called from any thread. remember()'s
// and sweep()'s callbacks run on the writer thread ("mm7-ids-writer"), or
// inline when the map is closed: post to your executor.
// Failure modes: open() returns a one-line Error (cannot create the
// directory, in use by another process, unknown format, RocksDB's reason).
// A failed write fails its callbacks with EIO and is reported once through
// `problem` until a write succeeds again (delivery goes on: the caller only
// loses the mapping); before the next batch the database is reopened. After
// close(), writes fail at once with ESHUTDOWN and find() finds nothing.
// Corrupt values are treated as absent.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "delivery/mm7/mm7_id_keys.hpp"

namespace rocksdb {
class Env;
}

namespace impulse::delivery::mm7 {

struct Mm7MessageIdsOptions {
  std::string path = {};                          // the database directory; created if missing
  std::size_t capacity = 1'000'000;               // entries kept at most
  std::size_t sweep_batch = 1000;                 // expired entries removed per sweep step
  std::chrono::milliseconds sweep_interval{60'000};  // 0: no periodic sweeps (call sweep())
  std::size_t max_batch_ops = 1024;               // writes per synced batch, at most
  std::function<void(std::string_view)> problem = {};  // write failures (once per run of failures); may be empty
  std::function<WallTime()> now = {};             // the periodic sweeps' clock; empty = system_clock
  rocksdb::Env* env = nullptr;                    // tests: a fault-injecting Env; null = RocksDB's default
};

using Mm7WriteDone = std::function<void(Result<void>)>;

class Mm7MessageIds {
 public:
  static Result<std::shared_ptr<Mm7MessageIds>> open(Mm7MessageIdsOptions options);
  ~Mm7MessageIds();
  Mm7MessageIds(const Mm7MessageIds&) = delete;
  Mm7MessageIds& operator=(const Mm7MessageIds&) = delete;

  // Keeps remote_id -> submission until `expires` (replacing an entry of the
  // same remote_id). `done` (may be empty) runs once the entry is durable or
  // the write failed. An empty remote_id is not kept (done gets EINVAL).
  void remember(std::string remote_id, Mm7Submission submission, WallTime expires, Mm7WriteDone done = {});
  // The submission, unless unknown, expired at `now` or the map is closed.
  std::optional<Mm7Submission> find(std::string_view remote_id, WallTime now) const;
  // One sweep step: removes up to sweep_batch entries expired at `now`;
  // `done` (may be empty) gets how many. A full step queues the next one.
  void sweep(WallTime now, std::function<void(Result<std::size_t>)> done = {});
  // Entries on disk, expired ones not yet swept included.
  std::size_t size() const;
  // A caller gave up waiting for remember()'s write after `waited` (the
  // session's deadline): one line through options.problem. Any thread.
  void report_slow_write(std::string_view remote_id, std::chrono::milliseconds waited) const;
  // Writes what is queued, stops the writer, closes the database. Idempotent.
  void close();

  struct Impl;

 private:
  explicit Mm7MessageIds(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace impulse::delivery::mm7
