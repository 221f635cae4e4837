// MemoryStore: the Store test double (docs/architecture.md rule 8). Behaves like
// RocksDbStore for every caller-visible rule (same typed test suite): records
// go through the real record codec, reads see completed writes, recover()
// walks in id order, close() completes queued writes.
//
// "Disk" is a MemoryDisk shared by pointer, so a test can drop a store and
// open a new one on the same disk (a restart), or crash() it (queued writes
// vanish, their callbacks never run) and check what survived.
//
// Two modes:
//   immediate (default): each write is applied and its callback run inline,
//     on the calling thread, before the call returns; one "batch" per write.
//   deferred: writes queue up until complete_pending(), which applies them
//     all as one batch and runs their callbacks on the calling thread. Lets
//     listener and queue tests hold a 250 until "the disk" says so.
// fail_writes(error) makes every later write complete with that Error (a
// full or read-only disk) until fail_writes(std::nullopt).
//
// Threading: every method is thread-safe; callbacks run without locks held.
// Failures: as the Store contract; nothing else fails.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "spool/store.hpp"

namespace impulse::spool {

class MemoryDisk {
 public:
  std::size_t message_count() const;

 private:
  friend class MemoryStore;
  struct Entry {
    std::string record;  // encode_record() of the metadata
    Body body;
  };
  mutable std::mutex mu_;
  std::map<MessageId, Entry> entries_;
  std::uint32_t last_epoch_ = 0;
};

class MemoryStore final : public Store {
 public:
  enum class Mode { kImmediate, kDeferred };

  explicit MemoryStore(std::shared_ptr<MemoryDisk> disk = std::make_shared<MemoryDisk>(),
                       Mode mode = Mode::kImmediate);
  ~MemoryStore() override;

  std::uint32_t id_epoch() const override { return epoch_; }
  void commit_new(Message message, Body body, DoneCallback on_durable) override;
  void update_recipients(const MessageId& id, std::vector<RecipientUpdate> updates, DoneCallback on_done) override;
  void remove(const MessageId& id, DoneCallback on_done) override;
  Result<Body> load_body(const MessageId& id) const override;
  Result<Message> load_message(const MessageId& id) const override;
  Result<RecoverReport> recover(const std::function<void(Message&&)>& visitor) override;
  StoreStats stats() const override;
  void close() override;

  // Test controls (see the header comment).
  void fail_writes(std::optional<Error> error);
  std::size_t complete_pending();  // deferred mode: returns how many writes completed
  std::size_t pending() const;
  void crash();  // drop queued writes without callbacks, then close
  const std::shared_ptr<MemoryDisk>& disk() const { return disk_; }

 private:
  struct Op {
    enum class Kind { kCommit, kUpdate, kRemove } kind;
    MessageId id;
    std::string record;  // kCommit
    Body body;           // kCommit
    std::vector<RecipientUpdate> updates;  // kUpdate
    DoneCallback done;
  };

  void submit(Op op);
  // Applies a batch to the disk; returns each op's outcome. Caller holds no lock.
  std::vector<Result<void>> apply(std::vector<Op>& ops);
  void finish(std::vector<Op>& ops, std::vector<Result<void>>& results);

  std::shared_ptr<MemoryDisk> disk_;
  const Mode mode_;
  std::uint32_t epoch_ = 0;

  mutable std::mutex mu_;
  bool closed_ = false;
  std::optional<Error> fail_with_;
  std::vector<Op> pending_;
  StoreStats stats_;
};

}  // namespace impulse::spool
