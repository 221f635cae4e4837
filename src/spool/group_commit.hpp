// GroupCommitter<Op>: the group-commit queue behind the spool
// (docs/architecture.md "Life of a message" step 4, "Ownership": one writer
// thread batches concurrent writes into one synced write). Any thread submits an Op; one writer thread takes
// everything queued while its previous batch was being written (up to
// max_batch ops) and hands it to the flush function as one batch. The flush
// function (the store) turns a batch into one synced write and runs the ops'
// callbacks. Callers never wait for I/O: submit() only takes a mutex for a
// push_back.
//
// What it leaves to others: what an Op is, how a batch is written and what
// callbacks run (the flush function).
// Threading: submit()/stop() from any thread; flush runs only on the writer
// thread, one batch at a time, in submission order.
// Idle ticks: with an idle_tick, the writer also calls flush with an empty
// batch after each idle_tick without submissions, so the flush function can
// retry work of its own (the spool writes again what a full disk refused).
// Failure: try_submit() returns false once stop() has begun (the op is left
// untouched for the caller to fail). A flush function that throws is a bug
// (std::terminate).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <pthread.h>

namespace impulse::spool {

template <class Op>
class GroupCommitter {
 public:
  using Flush = std::function<void(std::vector<Op>& batch)>;

  GroupCommitter(Flush flush, std::size_t max_batch, const char* thread_name,
                 std::chrono::milliseconds idle_tick = std::chrono::milliseconds::zero())
      : flush_(std::move(flush)), max_batch_(max_batch == 0 ? 1 : max_batch), idle_tick_(idle_tick) {
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), thread_name);
  }
  ~GroupCommitter() { stop(); }
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `op` and returns true; returns false (op not moved from) once
  // stopping.
  bool try_submit(Op&& op) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
      queue_.push_back(std::move(op));
    }
    cv_.notify_one();
    return true;
  }

  // Flushes everything already queued, then joins the writer. Idempotent.
  // Must not be called from the writer thread (a callback).
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    std::lock_guard join_lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::vector<Op> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        auto ready = [&] { return !queue_.empty() || stopping_; };
        if (idle_tick_ > std::chrono::milliseconds::zero()) {
          if (!cv_.wait_for(lock, idle_tick_, ready)) {
            lock.unlock();
            flush_(batch);  // empty: the idle tick
            continue;
          }
        } else {
          cv_.wait(lock, ready);
        }
        if (queue_.empty()) return;  // stopping, and drained
        if (queue_.size() <= max_batch_) {
          batch.swap(queue_);
        } else {
          auto end = queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_);
          batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
          queue_.erase(queue_.begin(), end);
        }
      }
      flush_(batch);
      batch.clear();
    }
  }

  Flush flush_;
  const std::size_t max_batch_;
  const std::chrono::milliseconds idle_tick_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Op> queue_;
  bool stopping_ = false;
  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace impulse::spool
