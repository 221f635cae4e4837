// Implementation of queue/queue_loop.hpp.
#include "queue/queue_loop.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>

#include "queue/event_log.hpp"
#include "queue/queue_options.hpp"

namespace impulse::queue {
namespace {

struct LaterWake {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return a.when > b.when;
  }
};

}  // namespace

struct QueueLoop::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  bool running = false;
};

QueueLoop::QueueLoop(boost::asio::io_context& io, QueueContext& ctx) : io_(io), ctx_(ctx) {}

QueueLoop::~QueueLoop() = default;

const std::shared_ptr<DomainQueue>& QueueLoop::queue(const QueueKey& key, std::string_view binding_group) {
  auto it = queues_.find(key);
  if (it == queues_.end())
    it = queues_.emplace(key, std::make_shared<DomainQueue>(key, std::string(binding_group), *this, ctx_)).first;
  return it->second;
}

std::shared_ptr<DomainQueue> QueueLoop::find(const QueueKey& key) const {
  auto it = queues_.find(key);
  return it == queues_.end() ? nullptr : it->second;
}

void QueueLoop::schedule_wake(DomainQueue& queue, spool::SpoolTime when) {
  wakes_.push_back(Wake{when, &queue});
  std::push_heap(wakes_.begin(), wakes_.end(), LaterWake{});
}

void QueueLoop::watch_suspended(DomainQueue& queue) {
  if (queue.watched_) return;
  queue.watched_ = true;
  suspended_.push_back(&queue);
}

void QueueLoop::maintain() {
  const auto now = spool::to_spool_time(ctx_.clock.wall_now());
  while (!wakes_.empty() && wakes_.front().when <= now) {
    std::pop_heap(wakes_.begin(), wakes_.end(), LaterWake{});
    const Wake w = wakes_.back();
    wakes_.pop_back();
    // The queue tells a stale wake (swept, flushed or hold extended since).
    w.queue->wake(w.when, now);
  }
  std::vector<DomainQueue*> suspended;
  suspended.swap(suspended_);
  for (DomainQueue* q : suspended) {
    q->watched_ = false;
    q->recheck();
  }
}

void QueueLoop::start_timer() {
  if (!timer_) timer_ = std::make_unique<Timer>(io_);
  if (timer_->running) return;
  timer_->running = true;
  arm();
}

void QueueLoop::stop_timer() {
  if (!timer_) return;
  timer_->running = false;
  timer_->timer.cancel();
}

void QueueLoop::arm() {
  timer_->timer.expires_after(delayed_queue_scan_interval(ctx_.snapshot().get()));
  // On cancellation (stop_timer, or the timer destroyed with this loop) the
  // handler returns before touching `this`.
  timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !timer_->running) return;
    try {
      maintain();
    } catch (const std::exception& e) {
      ctx_.log.problem(std::string("queue maintenance failed: ") + e.what());
    }
    arm();
  });
}

}  // namespace impulse::queue
