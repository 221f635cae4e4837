// RocksDbStore: the production Store, a RocksDB database in the `Spoolbase`
// directory (SPEC §2, §5; reference/momentum.md §7.4). RocksDB headers stay
// in the .cpp: including this costs callers nothing.
//
// Layout: column family "meta" holds one record per message (spool/record.hpp)
// keyed by the 13-byte binary id (id order = reception order per lane);
// "body" holds the body under the same key; "default" holds the spool's own
// keys (format, last id epoch). A message's record and body are written in
// one atomic WriteBatch.
//
// Durability and group commit: every write goes through one writer thread
// (spool/group_commit.hpp). It takes all writes queued while its previous
// write was syncing, puts them in one WriteBatch, writes it with
// WriteOptions::sync = true (one fdatasync of the WAL per batch), then runs
// their callbacks in order. WAL recovery mode kPointInTimeRecovery, no manual
// WAL flush. update_recipients is a read-modify-write done on the writer
// thread (so updates to one message never race); it sees the writes earlier
// in its own batch.
//
// Deletes: removal writes tombstones at the old end of the key space, which a
// start-up scan would step over. The column families use RocksDB's
// compact-on-deletion table-properties collector so tombstone-heavy files are
// compacted away in the background, and recover() asks for a compaction of
// the range when its scan stepped over many tombstones.
//
// Threading: as the Store contract. Callbacks run on the writer thread
// ("spool-writer"); post from there to your executor.
// Failures: open() returns a one-line Error naming the directory and the
// cause (cannot create it, not a directory, not writable, in use by another
// process, unknown spool format, a full file system (ENOSPC), RocksDB's own
// open error). A failed synced write fails every write of its batch with
// the RocksDB reason, code ENOSPC for a full disk (the listener answers 452
// 4.3.1) and EIO otherwise (451 4.3.0). RocksDB then refuses all writes
// without touching the disk; the writer calls DB::Resume() at most once a
// second (before a batch, or on an idle tick of the writer): it flushes the
// memtables and starts a new WAL, so no write follows a torn WAL record.
// Errors Resume() cannot clear are healed by reopening the database (WAL
// replay up to the last complete record; the failed batch may or may not be
// there, which can only duplicate, never lose, a message the client was
// told 4xx about). Until then writes fail at once; reads fail with EIO only
// while a reopen has failed. Updates and removals refused this way are kept
// in memory (up to 100,000) and written first once writes work again, so a
// delivery made while the disk was full is not repeated (their callback
// still reports the failure). recover()'s visitor must not wait for a write
// callback (a reopen waits for the scan).
// Full disks: RocksDB's own info log asserts after a failed write, so the
// spool writes SPOOL/LOG itself (spool/rocksdb_info_log.hpp); fallocate is
// off (RocksDB reserved 35 MiB ahead of each WAL, which made start-up fail
// on a nearly full ext4); RocksDB's own full-disk recovery (which waits for
// 32 MiB free) is declined in favour of the writer's Resume().
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/clock.hpp"
#include "spool/store.hpp"

namespace prometheus {
class Histogram;  // spool/commit_metrics.hpp builds it
}

namespace impulse::spool {

struct RocksDbStoreOptions {
  std::string path;                                 // Spoolbase; created if missing
  std::size_t max_batch_ops = 4096;                 // writes per synced batch, at most
  std::size_t meta_memtable_bytes = 8u << 20;       // metadata is small
  std::size_t body_memtable_bytes = 32u << 20;      // bodies deleted before a flush never hit an SST
  std::size_t block_cache_bytes = 32u << 20;
  // Observes the seconds of each synced batch write (/metrics
  // impulse_spool_commit_seconds, spool/commit_metrics.hpp); null = none.
  // Outlives the store.
  prometheus::Histogram* commit_seconds = nullptr;
};

class RocksDbStore final : public Store {
 public:
  // Opens (creating if needed) the spool and reserves a new id epoch from
  // `clock` (synced before returning).
  static Result<std::unique_ptr<RocksDbStore>> open(const RocksDbStoreOptions& options, const Clock& clock);
  ~RocksDbStore() override;

  std::uint32_t id_epoch() const override;
  void commit_new(Message message, Body body, DoneCallback on_durable) override;
  void update_recipients(const MessageId& id, std::vector<RecipientUpdate> updates, DoneCallback on_done) override;
  void remove(const MessageId& id, DoneCallback on_done) override;
  Result<Body> load_body(const MessageId& id) const override;
  Result<Message> load_message(const MessageId& id) const override;
  Result<RecoverReport> recover(const std::function<void(Message&&)>& visitor) override;
  StoreStats stats() const override;
  void close() override;

  struct Impl;

 private:
  explicit RocksDbStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace impulse::spool
