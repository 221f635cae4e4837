// Implementation of spool/rocksdb_store.hpp.
#include "spool/rocksdb_store.hpp"

#include <prometheus/histogram.h>
#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/experimental.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "spool/group_commit.hpp"
#include "spool/rocksdb_info_log.hpp"
#include "spool/record.hpp"

namespace impulse::spool {
namespace {

constexpr const char* kMetaFamily = "meta";
constexpr const char* kBodyFamily = "body";
constexpr const char* kFormatKey = "format";
constexpr const char* kEpochKey = "id_epoch";
constexpr const char* kFormatValue = "impulse-spool-1";
// recover() asks for a compaction when it stepped over more tombstones than
// this, and more than twice the live records.
constexpr std::uint64_t kTombstoneCompactionThreshold = 10000;
// RocksDB's info log (SPOOL/LOG, spool/rocksdb_info_log.hpp): rolled to
// LOG.old past this size.
constexpr std::size_t kInfoLogBytes = 4u << 20;
// After a failed write, Resume() or a reopen is tried at most this often;
// batches in between fail at once with the last error (no I/O).
constexpr std::chrono::milliseconds kRecoveryInterval{1000};
// Failed recipient updates and removals kept to be written again once the
// spool accepts writes (beyond this many, the oldest are given up).
constexpr std::size_t kMaxDeferredOps = 100000;

struct WriteOp {
  enum class Kind : std::uint8_t { kCommit, kUpdate, kRemove } kind;
  MessageId id;
  std::string record;                    // kCommit
  Body body;                             // kCommit
  std::vector<RecipientUpdate> updates;  // kUpdate
  DoneCallback done;
};

rocksdb::Slice as_slice(const MessageId::Key& key) { return rocksdb::Slice(key.data(), key.size()); }

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes.substr(0, 32)) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

// ENOSPC for a full disk (the listener answers 452 4.3.1), EIO otherwise.
int status_code(const rocksdb::Status& s) { return s.IsNoSpace() ? ENOSPC : EIO; }

rocksdb::CompressionType body_compression() {
  auto supported = rocksdb::GetSupportedCompressions();
  bool lz4 = std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  return lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions family_options(std::size_t memtable_bytes, rocksdb::CompressionType compression,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = memtable_bytes;
  cf.max_write_buffer_number = 4;
  cf.compression = compression;
  cf.level_compaction_dynamic_level_bytes = true;
  // Files where deletions dominate get compacted, so tombstones do not pile up
  // in front of the live records a start-up scan has to reach.
  cf.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/256, /*deletion_trigger=*/128,
                                                    /*deletion_ratio=*/0.5));
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

// RocksDB's own recovery from a full disk waits until a whole memtable's
// worth (32 MiB) is free, polling every 5 s, and while it is pending the
// writer's Resume() answers Busy: a spool on a small disk would never heal.
// With auto-recovery declined, the writer's Resume() (once a second, see
// recover_from_write_error) is the one recovery.
class WriterResumes final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

rocksdb::DBOptions db_options() {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.manual_wal_flush = false;
  db.paranoid_checks = true;
  db.max_background_jobs = 2;
  db.max_total_wal_size = 256u << 20;  // bounds the WAL: old memtables get flushed
  db.bytes_per_sync = 1u << 20;
  // No fallocate(): RocksDB would reserve a WAL block of 1.1 x the largest
  // memtable (35 MiB) ahead of every WAL, and 1.1 x the target size ahead of
  // every SST, so on a nearly full ext4 the reservation alone took the last
  // free blocks and start-up failed (issue 18). Space is then used only by
  // what is written.
  db.allow_fallocate = false;
  db.listeners.push_back(std::make_shared<WriterResumes>());
  return db;
}

// The spool directory exists (created if missing), is a directory and is
// writable.
Result<void> prepare_directory(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return fail("Spoolbase is empty: no spool directory given", EINVAL);
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return fail("cannot use spool directory '" + path + "': " + ec.message(), ec.value());
  if (fs::exists(st) && !fs::is_directory(st))
    return fail("spool directory '" + path + "' exists and is not a directory", ENOTDIR);
  if (!fs::exists(st)) {
    fs::create_directories(path, ec);
    if (ec) return fail("cannot create spool directory '" + path + "': " + ec.message(), ec.value());
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    int err = errno;
    return fail("spool directory '" + path + "' is not writable: " + std::strerror(err), err);
  }
  return {};
}

// DB::Open's failure as open() reports it.
Error open_error(const std::string& path, const rocksdb::Status& s) {
  std::string why = s.ToString();
  // RocksDB names the lock file in both cases: "While lock file: DIR/LOCK: ..."
  // (another process) and "lock hold by current process ...: DIR/LOCK: ...".
  if (s.IsIOError() && why.find("/LOCK:") != std::string::npos)
    return Error{"spool directory '" + path + "' is in use by another process (cannot lock " + path +
                     "/LOCK): " + why,
                 EBUSY};
  if (s.IsNoSpace())
    return Error{"cannot open spool '" + path + "': the file system is full (" + why + ")", ENOSPC};
  return Error{"cannot open spool '" + path + "': " + why, EIO};
}

}  // namespace

struct RocksDbStore::Impl {
  std::string path;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;  // default, meta, body
  rocksdb::DB* db = nullptr;  // null after a failed reopen, until one succeeds
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf = nullptr;
  rocksdb::ColumnFamilyHandle* body_cf = nullptr;
  std::uint32_t epoch = 0;
  std::unique_ptr<GroupCommitter<WriteOp>> writer;

  // Shared by reads; exclusive while close() or the writer's recovery swaps
  // the database.
  mutable std::shared_mutex life_mu;
  bool closed = false;
  std::string unavailable;  // why db is null (guarded by life_mu)
  int unavailable_code = EIO;

  // Writer thread only (and close(), once the writer has stopped).
  bool recover_before_next_write = false;
  std::chrono::steady_clock::time_point next_recovery{};  // earliest next Resume()/reopen
  // Updates and removals whose write failed: written again, before newer
  // ops, with the next batch (or idle tick) once the spool accepts writes.
  std::vector<WriteOp> deferred;
  std::shared_ptr<RocksDbInfoLog> info_log;
  prometheus::Histogram* commit_seconds = nullptr;  // RocksDbStoreOptions::commit_seconds
  std::shared_ptr<rocksdb::Cache> block_cache;      // every family's; thread-safe

  std::atomic<std::uint64_t> commits{0}, updates{0}, removes{0}, failed{0}, batches{0};
  std::atomic<std::uint64_t> memtable_bytes{0};  // stats(): the last figure read

  Error write_error(const rocksdb::Status& s) const {
    return Error{"spool '" + path + "': write failed: " + s.ToString(), status_code(s)};
  }
  Error unavailable_error() const {
    return Error{"spool '" + path + "' is unavailable after a write error: " + unavailable, unavailable_code};
  }

  rocksdb::Status open_db() {
    auto s = rocksdb::DB::Open(db_options, path, families, &handles, &db);
    if (!s.ok()) {
      db = nullptr;
      handles.clear();
      return s;
    }
    default_cf = handles[0];
    meta_cf = handles[1];
    body_cf = handles[2];
    return s;
  }

  void release() {
    if (db == nullptr) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    handles.clear();
    db->Close();  // after a write error it reports that error again: nothing to do about it
    delete db;
    db = nullptr;
  }

  // After a failed write RocksDB refuses every later write (a background
  // error; no byte is written) until it is cleared. Resume() clears it by
  // flushing the memtables and starting a new WAL, so no write ever follows
  // a torn WAL record. While the disk is still full Resume() answers
  // NoSpace (Busy if a recovery of RocksDB's own runs, which WriterResumes
  // declines): the database is intact then, and the writer tries again a
  // second later. Anything else (a fatal error, or no database after a
  // failed reopen) is healed by reopening: WAL replay up to the last
  // complete record, then a new WAL.
  void recover_from_write_error() {
    if (db != nullptr) {
      auto r = db->Resume();
      if (r.ok()) {
        recover_before_next_write = false;
        return;
      }
      if (r.IsBusy() || r.IsNoSpace()) return;
    }
    std::unique_lock lock(life_mu);
    release();
    auto s = open_db();
    unavailable = s.ok() ? "" : s.ToString();
    unavailable_code = status_code(s);
    recover_before_next_write = !s.ok();
  }

  // Caller holds life_mu (shared or exclusive).
  Result<void> check_usable() const {
    if (closed) return unexpected(closed_error());
    if (db == nullptr) return unexpected(unavailable_error());
    return {};
  }

  void submit(WriteOp&& op) {
    if (writer->try_submit(std::move(op))) return;
    failed.fetch_add(1, std::memory_order_relaxed);
    if (op.done) op.done(unexpected(closed_error()));
  }

  // Current encoded record of `id` as seen by this batch so far.
  // nullopt = not stored (or removed earlier in the batch).
  Result<std::optional<std::string>> current_record(
      const MessageId& id, const std::unordered_map<MessageId, std::optional<std::string>>& overlay) {
    if (auto it = overlay.find(id); it != overlay.end()) return it->second;
    auto key = id.to_key();
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), meta_cf, as_slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return fail("spool '" + path + "': read failed: " + s.ToString(), EIO);
    return std::optional<std::string>(std::move(value));
  }

  // The writer thread's work: one batch (after the deferred ops), one
  // synced write, then callbacks. An empty batch is the idle tick: it only
  // retries recovery and the deferred ops.
  void flush(std::vector<WriteOp>& ops) {
    if (ops.empty() && deferred.empty() && !recover_before_next_write) return;
    if (recover_before_next_write) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_recovery) {
        next_recovery = now + kRecoveryInterval;
        recover_from_write_error();
      }
    }
    if (!deferred.empty()) {
      ops.insert(ops.begin(), std::make_move_iterator(deferred.begin()), std::make_move_iterator(deferred.end()));
      deferred.clear();
    }
    if (ops.empty()) return;
    if (db == nullptr) {
      fail_all(ops, unavailable_error());
      return;
    }
    rocksdb::WriteBatch batch;
    std::vector<std::optional<Error>> op_errors = stage(ops, batch);
    complete(ops, op_errors, write_synced(batch));
  }

  // Every op of the batch fails with `error` (the database is not there).
  void fail_all(std::vector<WriteOp>& ops, const Error& error) {
    for (auto& op : ops) {
      failed.fetch_add(1, std::memory_order_relaxed);
      done_or_defer(op, error);
    }
  }

  // A write that failed with the spool's error (not the op's own): a new
  // message fails (its client is told 4xx and retries); an update or a
  // removal is kept and written again once the spool accepts writes, so a
  // delivery is not forgotten (and repeated after a restart) because the
  // disk was full when it ended.
  void done_or_defer(WriteOp& op, const Error& error) {
    if (op.kind == WriteOp::Kind::kCommit) {
      if (op.done) op.done(unexpected(error));
      return;
    }
    DoneCallback done = std::move(op.done);
    op.done = nullptr;
    if (deferred.size() < kMaxDeferredOps) deferred.push_back(std::move(op));
    if (done) done(unexpected(Error{error.message + " (kept; written again once the spool accepts writes)", error.code}));
  }

  // Puts every op into `batch`, in order; an op that cannot be applied gets
  // its error (same index) and nothing in the batch.
  std::vector<std::optional<Error>> stage(std::vector<WriteOp>& ops, rocksdb::WriteBatch& batch) {
    std::vector<std::optional<Error>> op_errors(ops.size());
    std::unordered_map<MessageId, std::optional<std::string>> overlay;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      auto& op = ops[i];
      auto key = op.id.to_key();
      switch (op.kind) {
        case WriteOp::Kind::kCommit:
          batch.Put(meta_cf, as_slice(key), op.record);
          batch.Put(body_cf, as_slice(key), *op.body);
          overlay[op.id] = std::move(op.record);
          break;
        case WriteOp::Kind::kUpdate:
          op_errors[i] = stage_update(op, batch, overlay);
          break;
        case WriteOp::Kind::kRemove:
          batch.Delete(meta_cf, as_slice(key));
          batch.Delete(body_cf, as_slice(key));
          overlay[op.id] = std::nullopt;
          break;
      }
    }
    return op_errors;
  }

  // update_recipients' read-modify-write, seeing the batch's earlier writes.
  std::optional<Error> stage_update(const WriteOp& op, rocksdb::WriteBatch& batch,
                                    std::unordered_map<MessageId, std::optional<std::string>>& overlay) {
    auto current = current_record(op.id, overlay);
    if (!current) return current.error();
    if (!*current) return Error{"message " + op.id.to_string() + " is not in the spool", ENOENT};
    auto message = decode_record(**current);
    if (!message) return Error{op.id.to_string() + ": " + message.error().message, EIO};
    if (auto applied = apply_updates(*message, op.updates); !applied) return applied.error();
    std::string record = encode_record(*message);
    auto key = op.id.to_key();
    batch.Put(meta_cf, as_slice(key), record);
    overlay[op.id] = std::move(record);
    return std::nullopt;
  }

  // One synced write of the batch (none when it is empty).
  rocksdb::Status write_synced(rocksdb::WriteBatch& batch) {
    rocksdb::Status status;
    if (batch.Count() > 0) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      const auto start = std::chrono::steady_clock::now();
      status = db->Write(wo, &batch);
      if (commit_seconds)
        commit_seconds->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      batches.fetch_add(1, std::memory_order_relaxed);
      recover_before_next_write = !status.ok();
    }
    return status;
  }

  // Counts and callbacks, in op order: the op's own error, else the write's.
  void complete(std::vector<WriteOp>& ops, std::vector<std::optional<Error>>& op_errors,
                const rocksdb::Status& status) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      auto& op = ops[i];
      Result<void> result;
      if (op_errors[i]) {
        result = unexpected(std::move(*op_errors[i]));
      } else if (!status.ok()) {
        result = unexpected(write_error(status));
      }
      if (!result) {
        failed.fetch_add(1, std::memory_order_relaxed);
        if (!op_errors[i]) {
          done_or_defer(op, result.error());
          continue;
        }
      } else {
        switch (op.kind) {
          case WriteOp::Kind::kCommit: commits.fetch_add(1, std::memory_order_relaxed); break;
          case WriteOp::Kind::kUpdate: updates.fetch_add(1, std::memory_order_relaxed); break;
          case WriteOp::Kind::kRemove: removes.fetch_add(1, std::memory_order_relaxed); break;
        }
      }
      if (op.done) op.done(std::move(result));
    }
  }

  // Checks the spool format, then reserves a fresh id epoch (later than
  // the last one and not before `clock`'s second) and writes both, synced.
  Result<void> reserve_epoch(const Clock& clock) {
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), default_cf, kFormatKey, &value);
    if (s.ok() && value != kFormatValue) {
      return fail("spool '" + path + "' has format '" + value.substr(0, 40) + "', this impulsed reads '" +
                      kFormatValue + "'",
                  EINVAL);
    }
    if (!s.ok() && !s.IsNotFound()) return fail("cannot read spool '" + path + "': " + s.ToString(), EIO);
    std::uint32_t last_epoch = 0;
    s = db->Get(rocksdb::ReadOptions(), default_cf, kEpochKey, &value);
    if (s.ok() && value.size() == 4) {
      for (unsigned char c : value) last_epoch = (last_epoch << 8) | c;
    } else if (!s.IsNotFound()) {
      return fail("spool '" + path + "' has an unreadable id epoch: " + s.ToString(), EIO);
    }
    if (last_epoch == UINT32_MAX) return fail("spool '" + path + "' has run out of message id epochs", ERANGE);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count();
    auto now32 = static_cast<std::uint32_t>(std::clamp<std::int64_t>(now, 0, UINT32_MAX));
    epoch = std::max(now32, last_epoch + 1);
    char epoch_bytes[4];
    for (int i = 0; i < 4; ++i) epoch_bytes[i] = static_cast<char>(epoch >> (24 - 8 * i));
    rocksdb::WriteBatch batch;
    batch.Put(default_cf, kFormatKey, kFormatValue);
    batch.Put(default_cf, kEpochKey, rocksdb::Slice(epoch_bytes, 4));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Write(wo, &batch);
    if (!s.ok()) return fail("cannot write to spool '" + path + "': " + s.ToString(), EIO);
    return {};
  }
};

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::open(const RocksDbStoreOptions& options, const Clock& clock) {
  const std::string& path = options.path;
  if (auto usable = prepare_directory(path); !usable) return unexpected(usable.error());

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->commit_seconds = options.commit_seconds;
  impl->block_cache = cache;
  impl->db_options = db_options();
  // Our own info log: RocksDB's asserts after a failed write (a full disk).
  impl->info_log = std::make_shared<RocksDbInfoLog>(path + "/LOG", kInfoLogBytes);
  impl->db_options.info_log = impl->info_log;
  impl->families = {
      {rocksdb::kDefaultColumnFamilyName, family_options(1u << 20, rocksdb::kNoCompression, cache)},
      {kMetaFamily, family_options(options.meta_memtable_bytes, rocksdb::kNoCompression, cache)},
      {kBodyFamily, family_options(options.body_memtable_bytes, body_compression(), cache)},
  };
  if (auto s = impl->open_db(); !s.ok()) return unexpected(open_error(path, s));

  // Spool format, then a fresh id epoch, synced before anyone can use it.
  if (auto reserved = impl->reserve_epoch(clock); !reserved) {
    impl->release();
    return unexpected(reserved.error());
  }

  Impl* raw = impl.get();
  impl->writer = std::make_unique<GroupCommitter<WriteOp>>(
      [raw](std::vector<WriteOp>& ops) { raw->flush(ops); }, options.max_batch_ops, "spool-writer",
      kRecoveryInterval);
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(std::move(impl)));
}

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RocksDbStore::~RocksDbStore() { close(); }

std::uint32_t RocksDbStore::id_epoch() const { return impl_->epoch; }

void RocksDbStore::commit_new(Message message, Body body, DoneCallback on_durable) {
  WriteOp op{WriteOp::Kind::kCommit, message.id, encode_record(message), std::move(body), {}, std::move(on_durable)};
  if (!op.body) op.body = std::make_shared<const std::string>();
  impl_->submit(std::move(op));
}

void RocksDbStore::update_recipients(const MessageId& id, std::vector<RecipientUpdate> updates,
                                     DoneCallback on_done) {
  impl_->submit(WriteOp{WriteOp::Kind::kUpdate, id, {}, {}, std::move(updates), std::move(on_done)});
}

void RocksDbStore::remove(const MessageId& id, DoneCallback on_done) {
  impl_->submit(WriteOp{WriteOp::Kind::kRemove, id, {}, {}, {}, std::move(on_done)});
}

Result<Body> RocksDbStore::load_body(const MessageId& id) const {
  std::shared_lock lock(impl_->life_mu);
  if (auto usable = impl_->check_usable(); !usable) return unexpected(usable.error());
  auto key = id.to_key();
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->body_cf, as_slice(key), &value);
  if (s.IsNotFound()) return fail("message " + id.to_string() + " has no body in the spool", ENOENT);
  if (!s.ok()) return fail("spool '" + impl_->path + "': read failed: " + s.ToString(), EIO);
  return std::make_shared<const std::string>(std::move(value));
}

Result<Message> RocksDbStore::load_message(const MessageId& id) const {
  std::shared_lock lock(impl_->life_mu);
  if (auto usable = impl_->check_usable(); !usable) return unexpected(usable.error());
  auto key = id.to_key();
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->meta_cf, as_slice(key), &value);
  if (s.IsNotFound()) return fail("message " + id.to_string() + " is not in the spool", ENOENT);
  if (!s.ok()) return fail("spool '" + impl_->path + "': read failed: " + s.ToString(), EIO);
  auto message = decode_record(value);
  if (!message) return fail(id.to_string() + ": " + message.error().message, EIO);
  return message;
}

Result<RecoverReport> RocksDbStore::recover(const std::function<void(Message&&)>& visitor) {
  std::shared_lock lock(impl_->life_mu);
  if (auto usable = impl_->check_usable(); !usable) return unexpected(usable.error());
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 2u << 20;
  auto old_level = rocksdb::GetPerfLevel();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();

  RecoverReport report;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->meta_cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key();
    auto id = MessageId::from_key(std::string_view(key.data(), key.size()));
    if (!id) {
      report.corrupt.push_back(hex(std::string_view(key.data(), key.size())) + ": " + id.error().message);
      continue;
    }
    auto message = decode_record(std::string_view(it->value().data(), it->value().size()));
    if (!message) {
      report.corrupt.push_back(id->to_string() + ": " + message.error().message);
      continue;
    }
    if (message->id != *id) {
      report.corrupt.push_back(id->to_string() + ": record names message " + message->id.to_string());
      continue;
    }
    ++report.messages;
    visitor(std::move(*message));
  }
  report.tombstones_skipped = rocksdb::get_perf_context()->internal_delete_skipped_count;
  rocksdb::SetPerfLevel(old_level);
  if (!it->status().ok()) return fail("spool '" + impl_->path + "': scan failed: " + it->status().ToString(), EIO);
  it.reset();

  if (report.tombstones_skipped > kTombstoneCompactionThreshold &&
      report.tombstones_skipped > 2 * report.messages) {
    // Background compaction of the whole key range; the result does not
    // matter for correctness, only for the next start-up's speed.
    rocksdb::experimental::SuggestCompactRange(impl_->db, impl_->meta_cf, nullptr, nullptr);
    rocksdb::experimental::SuggestCompactRange(impl_->db, impl_->body_cf, nullptr, nullptr);
  }
  return report;
}

StoreStats RocksDbStore::stats() const {
  StoreStats s;
  s.commits = impl_->commits.load(std::memory_order_relaxed);
  s.updates = impl_->updates.load(std::memory_order_relaxed);
  s.removes = impl_->removes.load(std::memory_order_relaxed);
  s.failed = impl_->failed.load(std::memory_order_relaxed);
  s.batches = impl_->batches.load(std::memory_order_relaxed);
  s.block_cache_bytes = impl_->block_cache->GetUsage();
  // Never waits: /readyz and /metrics call this on an event loop, and a
  // reopen after a write error holds life_mu exclusively for as long as
  // opening takes. Meanwhile the last figure stands.
  std::shared_lock lock(impl_->life_mu, std::try_to_lock);
  if (lock.owns_lock()) {
    std::uint64_t memtables = 0;  // every family's, the flushing ones too
    if (!impl_->db || impl_->closed ||
        !impl_->db->GetAggregatedIntProperty("rocksdb.size-all-mem-tables", &memtables))
      memtables = 0;
    impl_->memtable_bytes.store(memtables, std::memory_order_relaxed);
  }
  s.memtable_bytes = impl_->memtable_bytes.load(std::memory_order_relaxed);
  return s;
}

void RocksDbStore::close() {
  impl_->writer->stop();  // completes every queued write first
  if (!impl_->deferred.empty() && !impl_->closed) {
    // One last try for the updates a full disk refused (the writer has
    // stopped: this thread is the writer now).
    std::vector<WriteOp> none;
    impl_->next_recovery = {};
    impl_->flush(none);
  }
  std::unique_lock lock(impl_->life_mu);
  if (impl_->closed) return;
  impl_->closed = true;
  impl_->release();
}

}  // namespace impulse::spool
