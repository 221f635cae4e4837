// Implementation of spool/memory_store.hpp.
#include "spool/memory_store.hpp"

#include <cerrno>

#include "spool/record.hpp"

namespace impulse::spool {
namespace {

Error not_found(const MessageId& id) { return Error{"message " + id.to_string() + " is not in the spool", ENOENT}; }

}  // namespace

std::size_t MemoryDisk::message_count() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

MemoryStore::MemoryStore(std::shared_ptr<MemoryDisk> disk, Mode mode) : disk_(std::move(disk)), mode_(mode) {
  std::lock_guard lock(disk_->mu_);
  epoch_ = ++disk_->last_epoch_;
}

MemoryStore::~MemoryStore() { close(); }

void MemoryStore::commit_new(Message message, Body body, DoneCallback on_durable) {
  Op op{Op::Kind::kCommit, message.id, encode_record(message), std::move(body), {}, std::move(on_durable)};
  if (!op.body) op.body = std::make_shared<const std::string>();
  submit(std::move(op));
}

void MemoryStore::update_recipients(const MessageId& id, std::vector<RecipientUpdate> updates,
                                    DoneCallback on_done) {
  submit(Op{Op::Kind::kUpdate, id, {}, {}, std::move(updates), std::move(on_done)});
}

void MemoryStore::remove(const MessageId& id, DoneCallback on_done) {
  submit(Op{Op::Kind::kRemove, id, {}, {}, {}, std::move(on_done)});
}

void MemoryStore::submit(Op op) {
  {
    std::lock_guard lock(mu_);
    if (!closed_ && mode_ == Mode::kDeferred) {
      pending_.push_back(std::move(op));
      return;
    }
  }
  std::vector<Op> ops;
  ops.push_back(std::move(op));
  std::vector<Result<void>> results;
  bool closed;
  {
    std::lock_guard lock(mu_);
    closed = closed_;
  }
  if (closed) {
    results.emplace_back(unexpected(closed_error()));
  } else {
    results = apply(ops);
  }
  finish(ops, results);
}

std::vector<Result<void>> MemoryStore::apply(std::vector<Op>& ops) {
  std::optional<Error> failure;
  {
    std::lock_guard lock(mu_);
    failure = fail_with_;
    ++stats_.batches;
  }
  std::vector<Result<void>> results;
  results.reserve(ops.size());
  std::lock_guard lock(disk_->mu_);
  for (auto& op : ops) {
    if (failure) {
      results.emplace_back(unexpected(*failure));
      continue;
    }
    switch (op.kind) {
      case Op::Kind::kCommit:
        disk_->entries_[op.id] = MemoryDisk::Entry{std::move(op.record), std::move(op.body)};
        results.emplace_back();
        break;
      case Op::Kind::kUpdate: {
        auto it = disk_->entries_.find(op.id);
        if (it == disk_->entries_.end()) {
          results.emplace_back(unexpected(not_found(op.id)));
          break;
        }
        auto message = decode_record(it->second.record);
        if (!message) {
          results.emplace_back(unexpected(Error{op.id.to_string() + ": " + message.error().message, EIO}));
          break;
        }
        auto applied = apply_updates(*message, op.updates);
        if (!applied) {
          results.emplace_back(unexpected(applied.error()));
          break;
        }
        it->second.record = encode_record(*message);
        results.emplace_back();
        break;
      }
      case Op::Kind::kRemove:
        disk_->entries_.erase(op.id);
        results.emplace_back();
        break;
    }
  }
  return results;
}

void MemoryStore::finish(std::vector<Op>& ops, std::vector<Result<void>>& results) {
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (!results[i]) {
        ++stats_.failed;
        continue;
      }
      switch (ops[i].kind) {
        case Op::Kind::kCommit: ++stats_.commits; break;
        case Op::Kind::kUpdate: ++stats_.updates; break;
        case Op::Kind::kRemove: ++stats_.removes; break;
      }
    }
  }
  for (std::size_t i = 0; i < ops.size(); ++i)
    if (ops[i].done) ops[i].done(std::move(results[i]));
}

Result<Body> MemoryStore::load_body(const MessageId& id) const {
  {
    std::lock_guard lock(mu_);
    if (closed_) return unexpected(closed_error());
  }
  std::lock_guard lock(disk_->mu_);
  auto it = disk_->entries_.find(id);
  if (it == disk_->entries_.end()) return unexpected(not_found(id));
  return it->second.body;
}

Result<Message> MemoryStore::load_message(const MessageId& id) const {
  {
    std::lock_guard lock(mu_);
    if (closed_) return unexpected(closed_error());
  }
  std::lock_guard lock(disk_->mu_);
  auto it = disk_->entries_.find(id);
  if (it == disk_->entries_.end()) return unexpected(not_found(id));
  auto message = decode_record(it->second.record);
  if (!message) return unexpected(Error{id.to_string() + ": " + message.error().message, EIO});
  return message;
}

Result<RecoverReport> MemoryStore::recover(const std::function<void(Message&&)>& visitor) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return unexpected(closed_error());
  }
  std::vector<std::pair<MessageId, std::string>> snapshot;
  {
    std::lock_guard lock(disk_->mu_);
    snapshot.reserve(disk_->entries_.size());
    for (const auto& [id, entry] : disk_->entries_) snapshot.emplace_back(id, entry.record);
  }
  RecoverReport report;
  for (auto& [id, record] : snapshot) {
    auto message = decode_record(record);
    if (!message) {
      report.corrupt.push_back(id.to_string() + ": " + message.error().message);
      continue;
    }
    if (message->id != id) {
      report.corrupt.push_back(id.to_string() + ": record names message " + message->id.to_string());
      continue;
    }
    ++report.messages;
    visitor(std::move(*message));
  }
  return report;
}

StoreStats MemoryStore::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void MemoryStore::close() {
  complete_pending();
  std::lock_guard lock(mu_);
  closed_ = true;
}

void MemoryStore::fail_writes(std::optional<Error> error) {
  std::lock_guard lock(mu_);
  fail_with_ = std::move(error);
}

std::size_t MemoryStore::complete_pending() {
  std::vector<Op> ops;
  {
    std::lock_guard lock(mu_);
    ops.swap(pending_);
  }
  if (ops.empty()) return 0;
  auto results = apply(ops);
  finish(ops, results);
  return ops.size();
}

std::size_t MemoryStore::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

void MemoryStore::crash() {
  std::lock_guard lock(mu_);
  pending_.clear();
  closed_ = true;
}

}  // namespace impulse::spool
