// Implementation of delivery/mm7/mm7_message_ids.hpp.
#include "delivery/mm7/mm7_message_ids.hpp"

#include "spool/rocksdb_info_log.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <variant>
#include <vector>

#include "spool/group_commit.hpp"

namespace impulse::delivery::mm7 {

namespace {

struct RememberOp {
  std::string remote_id;
  Mm7IdEntry entry;
  Mm7WriteDone done;
};

struct SweepOp {
  WallTime now;
  std::function<void(Result<std::size_t>)> done;
  std::size_t removed = 0;  // staged by the writer
};

using Op = std::variant<RememberOp, SweepOp>;

Error closed_error() { return Error{"the MM7 MessageID map is closed", ESHUTDOWN}; }

rocksdb::Options db_options(rocksdb::Env* env) {
  rocksdb::Options o;
  if (env != nullptr) o.env = env;
  o.create_if_missing = true;
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.paranoid_checks = true;
  o.write_buffer_size = 4u << 20;
  o.max_write_buffer_number = 2;
  o.max_background_jobs = 1;
  o.max_total_wal_size = 32u << 20;
  o.keep_log_file_num = 2;
  o.max_log_file_size = 1u << 20;
  // Sweeps delete from the start of the expiry range: compact files where
  // deletions dominate so the next sweep's seek does not step over them.
  o.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/256, /*deletion_trigger=*/128,
                                                    /*deletion_ratio=*/0.5));
  return o;
}

template <class Done, class Value>
void finish(Done& done, Value&& value) {
  if (done) done(std::forward<Value>(value));
}

}  // namespace

struct Mm7MessageIds::Impl {
  Mm7MessageIdsOptions options;
  rocksdb::DB* db = nullptr;  // null after a failed reopen, until one succeeds
  mutable std::shared_mutex life_mu;  // shared by find(); exclusive to swap or close the database
  bool closed = false;                // guarded by life_mu
  std::atomic<std::size_t> count{0};  // entries on disk ('r' keys)
  bool reopen_before_next_write = false;  // writer thread only
  bool failing = false;                   // writer thread only: a failure was reported
  std::unique_ptr<spool::GroupCommitter<Op>> writer;
  std::chrono::steady_clock::time_point next_sweep;  // writer thread only

  std::mutex close_mu;

  ~Impl() { stop_threads(); release(); }

  void stop_threads() {
    if (writer) writer->stop();  // what is queued is written first
  }

  // Every sweep_interval (on an idle tick of the writer, or with the batch
  // that finds it due) the writer adds one sweep step of its own.
  void add_due_sweep(std::vector<Op>& ops) {
    if (options.sweep_interval.count() <= 0) return;
    const auto steady = std::chrono::steady_clock::now();
    if (steady < next_sweep) return;
    next_sweep = steady + options.sweep_interval;
    ops.push_back(Op{SweepOp{options.now ? options.now() : std::chrono::system_clock::now(), {}, 0}});
  }

  rocksdb::Status open_db() {
    rocksdb::Options o = db_options(options.env);
    // RocksDB's own info log aborts the daemon on a full disk (issue 18):
    // the spool's logger drops what it cannot write instead.
    o.info_log = std::make_shared<spool::RocksDbInfoLog>(options.path + "/LOG", 1u << 20);
    auto s = rocksdb::DB::Open(o, options.path, &db);
    if (!s.ok()) {
      db = nullptr;
      return s;
    }
    std::string format;
    auto f = db->Get(rocksdb::ReadOptions(), kMm7IdsFormatKey, &format);
    if (f.IsNotFound()) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      f = db->Put(wo, kMm7IdsFormatKey, kMm7IdsFormat);
    } else if (f.ok() && format != kMm7IdsFormat) {
      f = rocksdb::Status::NotSupported("unknown format \"" + format + "\"");
    }
    if (!f.ok()) {
      release();
      return f;
    }
    count = count_entries();
    return s;
  }

  std::size_t count_entries() const {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    std::size_t n = 0;
    const std::string prefix(1, kMm7RemotePrefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
    return n;
  }

  void release() {
    if (db == nullptr) return;
    db->Close();
    delete db;
    db = nullptr;
  }

  void report(std::string_view what) {
    if (failing) return;
    failing = true;
    if (options.problem)
      options.problem("mm7 message ids '" + options.path + "': " + std::string(what) +
                      "; delivery reports may be recorded without their message id");
  }

  void submit(Op&& op) {
    if (writer->try_submit(std::move(op))) return;
    std::visit([](auto& o) { finish(o.done, unexpected(closed_error())); }, op);
  }

  // A failed synced write leaves RocksDB refusing writes, and Resume() does
  // not make its WAL writable again (a later write would trip RocksDB's
  // assertion on the failed WAL writer): reopen, which replays the WAL up to
  // the last complete record and starts a new one.
  void recover() {
    std::unique_lock lock(life_mu);
    release();
    auto s = open_db();
    if (!s.ok()) report("cannot reopen: " + s.ToString());
  }

  // The writer thread's work: one batch, one synced write, then callbacks.
  void flush(std::vector<Op>& queued) {
    // Taken out of the committer's vector, which is left empty (a due sweep
    // is added to this batch only).
    std::vector<Op> ops = std::move(queued);
    queued.clear();
    add_due_sweep(ops);
    if (ops.empty()) return;  // an idle tick, no sweep due
    if (reopen_before_next_write) {
      recover();
      reopen_before_next_write = db == nullptr;
    }
    if (db == nullptr) {
      const Error error{"mm7 message ids '" + options.path + "' unavailable after a write error", EIO};
      for (auto& op : ops) std::visit([&](auto& o) { finish(o.done, unexpected(error)); }, op);
      return;
    }
    rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
    std::size_t entries = count.load();
    bool sweep_again = false;
    WallTime sweep_now{};
    for (auto& op : ops) {
      if (auto* r = std::get_if<RememberOp>(&op)) {
        stage_remember(batch, *r, entries);
      } else {
        auto& s = std::get<SweepOp>(op);
        s.removed = stage_sweep(batch, s.now, entries);
        if (s.removed >= options.sweep_batch) {
          sweep_again = true;
          sweep_now = s.now;
        }
      }
    }
    rocksdb::Status status;
    if (batch.GetWriteBatch()->Count() > 0) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      status = db->Write(wo, batch.GetWriteBatch());
    }
    if (status.ok()) {
      count = entries;
      failing = false;
      if (sweep_again) writer->try_submit(Op{SweepOp{sweep_now, {}, 0}});  // false once closing: fine
    } else {
      reopen_before_next_write = true;
      report("write failed: " + status.ToString());
    }
    const Error error{"mm7 message ids '" + options.path + "': write failed: " + status.ToString(), EIO};
    for (auto& op : ops) {
      if (auto* r = std::get_if<RememberOp>(&op)) {
        if (status.ok()) finish(r->done, Result<void>());
        else finish(r->done, unexpected(error));
      } else {
        auto& s = std::get<SweepOp>(op);
        if (status.ok()) finish(s.done, Result<std::size_t>(s.removed));
        else finish(s.done, unexpected(error));
      }
    }
  }

  void stage_remember(rocksdb::WriteBatchWithIndex& batch, RememberOp& op, std::size_t& entries) {
    const std::string remote_key = mm7_remote_key(op.remote_id);
    std::string old_value;
    if (batch.GetFromBatchAndDB(db, rocksdb::ReadOptions(), remote_key, &old_value).ok()) {
      if (auto old = mm7_decode_entry(old_value)) batch.Delete(mm7_expiry_key(old->expires, op.remote_id));
      batch.Delete(remote_key);
      if (entries > 0) --entries;
    }
    if (entries >= options.capacity)
      for (const auto& [key, id] : first_expiring(batch, std::nullopt, entries - options.capacity + 1))
        if (drop(batch, key, id) && entries > 0) --entries;
    if (options.capacity == 0) return;
    batch.Put(remote_key, mm7_encode_entry(op.entry));
    batch.Put(mm7_expiry_key(op.entry.expires, op.remote_id), rocksdb::Slice());
    ++entries;
  }

  // Returns the expiry keys it removed (the step's work, bounded by sweep_batch).
  std::size_t stage_sweep(rocksdb::WriteBatchWithIndex& batch, WallTime now, std::size_t& entries) {
    auto expired = first_expiring(batch, now, options.sweep_batch);
    for (const auto& [key, id] : expired)
      if (drop(batch, key, id) && entries > 0) --entries;
    return expired.size();
  }

  // Up to `limit` expiry keys from the start (expiring at or before `by`,
  // when given), as the batch sees them: (key, remote id).
  std::vector<std::pair<std::string, std::string>> first_expiring(rocksdb::WriteBatchWithIndex& batch,
                                                                  std::optional<WallTime> by, std::size_t limit) {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(batch.NewIteratorWithBase(db->NewIterator(rocksdb::ReadOptions())));
    for (it->Seek(std::string(1, kMm7ExpiryPrefix)); it->Valid() && out.size() < limit; it->Next()) {
      auto key = mm7_decode_expiry_key(std::string_view(it->key().data(), it->key().size()));
      if (!key || (by && key->expires > *by)) break;
      out.emplace_back(it->key().ToString(), std::string(key->remote_id));
    }
    return out;
  }

  // Deletes an expiry key and its entry, unless the entry is a newer one of
  // the same id (then only the stale key goes). True when an entry went.
  bool drop(rocksdb::WriteBatchWithIndex& batch, const std::string& expiry_key, const std::string& remote_id) {
    batch.Delete(expiry_key);
    const std::string remote_key = mm7_remote_key(remote_id);
    std::string value;
    if (!batch.GetFromBatchAndDB(db, rocksdb::ReadOptions(), remote_key, &value).ok()) return false;
    auto entry = mm7_decode_entry(value);
    if (entry && mm7_expiry_key(entry->expires, remote_id) != expiry_key) return false;
    batch.Delete(remote_key);
    return true;
  }
};

Result<std::shared_ptr<Mm7MessageIds>> Mm7MessageIds::open(Mm7MessageIdsOptions options) {
  namespace fs = std::filesystem;
  if (options.path.empty()) return fail("mm7 message ids: no directory given", EINVAL);
  std::error_code ec;
  fs::create_directories(options.path, ec);
  if (ec) return fail("cannot create mm7 message ids directory '" + options.path + "': " + ec.message(), ec.value());
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (impl->options.sweep_batch == 0) impl->options.sweep_batch = 1;
  auto s = impl->open_db();
  if (!s.ok()) {
    const std::string why = s.ToString();
    const int code = why.find("/LOCK:") != std::string::npos ? EBUSY : EIO;
    return fail("cannot open mm7 message ids '" + impl->options.path + "': " + why, code);
  }
  Impl* raw = impl.get();
  impl->next_sweep = std::chrono::steady_clock::now() + impl->options.sweep_interval;
  impl->writer = std::make_unique<spool::GroupCommitter<Op>>(
      [raw](std::vector<Op>& ops) { raw->flush(ops); }, impl->options.max_batch_ops, "mm7-ids-writer",
      std::max(impl->options.sweep_interval, std::chrono::milliseconds::zero()));
  return std::shared_ptr<Mm7MessageIds>(new Mm7MessageIds(std::move(impl)));
}

Mm7MessageIds::Mm7MessageIds(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Mm7MessageIds::~Mm7MessageIds() { close(); }

void Mm7MessageIds::remember(std::string remote_id, Mm7Submission submission, WallTime expires, Mm7WriteDone done) {
  if (remote_id.empty()) {
    finish(done, unexpected(Error{"empty MessageID", EINVAL}));
    return;
  }
  impl_->submit(Op{RememberOp{std::move(remote_id), Mm7IdEntry{std::move(submission), expires}, std::move(done)}});
}

std::optional<Mm7Submission> Mm7MessageIds::find(std::string_view remote_id, WallTime now) const {
  std::shared_lock lock(impl_->life_mu);
  if (impl_->closed || impl_->db == nullptr || remote_id.empty()) return std::nullopt;
  std::string value;
  if (!impl_->db->Get(rocksdb::ReadOptions(), mm7_remote_key(remote_id), &value).ok()) return std::nullopt;
  auto entry = mm7_decode_entry(value);
  if (!entry || entry->expires <= now) return std::nullopt;
  return std::move(entry->submission);
}

void Mm7MessageIds::sweep(WallTime now, std::function<void(Result<std::size_t>)> done) {
  impl_->submit(Op{SweepOp{now, std::move(done), 0}});
}

std::size_t Mm7MessageIds::size() const { return impl_->count.load(); }

void Mm7MessageIds::report_slow_write(std::string_view remote_id, std::chrono::milliseconds waited) const {
  if (impl_->options.problem)
    impl_->options.problem("mm7 message ids '" + impl_->options.path + "': the write of MessageID " +
                           std::string(remote_id) + " took longer than " + std::to_string(waited.count()) +
                           " ms; the delivery is reported without waiting for it");
}

void Mm7MessageIds::close() {
  std::lock_guard closing(impl_->close_mu);
  impl_->stop_threads();
  std::unique_lock lock(impl_->life_mu);
  impl_->closed = true;
  impl_->release();
}

}  // namespace impulse::delivery::mm7
