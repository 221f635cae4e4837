// Implementation of queue/scheduler.hpp.
#include "queue/scheduler.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/strings.hpp"
#include "queue/dsn_reports.hpp"
#include "queue/event_log.hpp"
#include "queue/queue_loop.hpp"
#include "queue/queue_options.hpp"
#include "routing/router.hpp"

namespace impulse::queue {
namespace {

bool matches(const QueueFilter& f, const std::optional<std::string>& lower_domain, const DomainQueue& q) {
  if (f.binding && q.key().binding != *f.binding) return false;
  if (lower_domain && q.key().domain != *lower_domain) return false;
  return true;
}

std::optional<std::string> lowered(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return to_lower(*s);
}

MessageAction combine(MessageAction a, MessageAction b) {
  if (a == MessageAction::kDone || b == MessageAction::kDone) return MessageAction::kDone;
  if (a == MessageAction::kInFlight || b == MessageAction::kInFlight) return MessageAction::kInFlight;
  return MessageAction::kNotFound;
}

bool unset(spool::SpoolTime t) { return t.time_since_epoch().count() == 0; }

}  // namespace

// One recover() call: the snapshot it reads, delay_dsn_after per queue key
// (read once, not per message), the queue additions being gathered for each
// loop, and the hand-over of full batches to the thread that applies them
// (recover()'s adder) while the scan goes on.
struct Scheduler::Recovery {
  struct Add {
    QueueKey key;
    std::string group;
    std::shared_ptr<const MessageHead> head;
    std::vector<QueuedRecipient> recipients;
    std::uint32_t retries = 0;
    spool::SpoolTime first_attempt{};
    spool::SpoolTime next_attempt{};
  };
  struct Batch {
    std::size_t loop = 0;
    std::vector<Add> adds;
  };
  static constexpr std::size_t kMaxWaitingBatches = 16;  // bounds the memory between scan and adder

  config::ConfigPtr config;
  std::unordered_map<QueueKey, std::chrono::seconds, QueueKeyHash> delay_dsn_after_by_key;
  const std::pair<const QueueKey, std::chrono::seconds>* last = nullptr;  // the key asked for last
  std::vector<std::vector<Add>> gathering;                                // per loop

  std::mutex mu;
  std::condition_variable changed;
  std::deque<Batch> waiting;
  bool scan_done = false;

  std::chrono::seconds delay_dsn_after(const routing::QueueGroup& g) {
    if (last && last->first.binding == g.binding && last->first.domain == g.domain) return last->second;
    auto [it, inserted] = delay_dsn_after_by_key.try_emplace(QueueKey{g.binding, g.domain});
    if (inserted) it->second = read_queue_options(config.get(), it->first).delay_dsn_after;
    last = &*it;
    return it->second;
  }
  // Scan side: hands loop `index`'s gathered additions over (waits while
  // kMaxWaitingBatches are waiting).
  void hand_over(std::size_t index) {
    Batch b{index, std::exchange(gathering[index], {})};
    gathering[index].reserve(kRecoveryBatch);
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return waiting.size() < kMaxWaitingBatches; });
    waiting.push_back(std::move(b));
    changed.notify_all();
  }
  // Adder side: the next batch, or nullopt once the scan is over and all are taken.
  std::optional<Batch> next() {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return !waiting.empty() || scan_done; });
    if (waiting.empty()) return std::nullopt;
    Batch b = std::move(waiting.front());
    waiting.pop_front();
    changed.notify_all();
    return b;
  }
  // Adder side: a batch's additions to `loop`'s queues.
  static void apply(QueueLoop& loop, std::vector<Add>& adds) {
    DomainQueue* queue = nullptr;  // most batches are one queue's: look it up once per run of one key
    const QueueKey* key = nullptr;
    for (auto& a : adds) {
      if (!queue || !(a.key == *key)) {
        queue = loop.queue(a.key, a.group).get();
        key = &a.key;
      }
      queue->add(std::move(a.head), std::move(a.recipients), a.retries, a.first_attempt, a.next_attempt);
    }
  }
  void finish_scan() {
    std::lock_guard lock(mu);
    scan_done = true;
    changed.notify_all();
  }
};

Scheduler::Scheduler(SchedulerDeps deps)
    : ctx_{deps.store, deps.agent,     deps.log,           deps.clock, std::move(deps.config),
           deps.ids,   deps.router,    std::move(deps.hostname), *this, {}},
      body_budget_(std::make_shared<ResidentBodyBudget>(deps.resident_body_cap)) {
  if (deps.loops.empty()) std::terminate();  // a wiring bug, not a runtime condition
  loops_.reserve(deps.loops.size());
  for (auto* io : deps.loops) loops_.push_back(std::make_unique<QueueLoop>(*io, ctx_));
}

Scheduler::~Scheduler() = default;

std::size_t Scheduler::loop_index(const QueueKey& key) const { return QueueKeyHash{}(key) % loops_.size(); }

void Scheduler::start() {
  for (auto& loop : loops_) boost::asio::post(loop->io(), [l = loop.get()] { l->start_timer(); });
}

void Scheduler::stop() {
  for (auto& loop : loops_) boost::asio::post(loop->io(), [l = loop.get()] { l->stop_timer(); });
}

void Scheduler::enqueue(const spool::Message& message, spool::Body body) { enqueue(message, std::move(body), nullptr); }

void Scheduler::enqueue(const spool::Message& message, spool::Body body, Recovery* recovery) {
  auto groups = routing::Router::split(message);
  if (groups.empty()) return;
  auto head = std::make_shared<MessageHead>();
  head->id = message.id;
  head->received = message.received;
  head->size = message.size;
  head->sender = message.sender;
  head->protocol = message.protocol;
  head->peer_ip = message.peer_ip;
  head->helo = message.helo;
  bool per_recipient = false;
  for (const auto& r : message.recipients) per_recipient = per_recipient || r.dsn_notify != 0 || !r.dsn_orcpt.empty();
  if (message.smtputf8 || message.dsn_ret != 0 || !message.dsn_envid.empty() || per_recipient) {
    auto ext = std::make_unique<EnvelopeExtensions>();
    ext->smtputf8 = message.smtputf8;
    ext->dsn_ret = message.dsn_ret;
    ext->dsn_envid = message.dsn_envid;
    for (const auto& r : message.recipients) {
      if (!per_recipient) break;
      ext->dsn_notify.push_back(r.dsn_notify);
      ext->dsn_orcpt.push_back(r.dsn_orcpt);
    }
    head->extensions = std::move(ext);
  }
  std::uint32_t pending = 0;
  for (const auto& g : groups) pending += static_cast<std::uint32_t>(g.indices.size());
  head->pending.store(pending, std::memory_order_relaxed);
  if (body && first_attempt_soon(message, groups)) head->resident_body.keep(std::move(body), body_budget_);
  // Queued again at start-up past its delay_dsn_retry_interval: its delay warning may be sent already.
  config::ConfigPtr config;  // read only if asked (a message received over a second ago)
  const auto delay_dsn_after = [&](const routing::QueueGroup& g) {
    if (recovery) return recovery->delay_dsn_after(g);
    if (!config) config = ctx_.snapshot();
    return read_queue_options(config.get(), QueueKey{g.binding, g.domain}).delay_dsn_after;
  };
  if (may_have_been_warned(delay_dsn_after, groups, std::chrono::time_point_cast<WallTime::duration>(message.received),
                           ctx_.clock.wall_now()))
    head->delay_warned.store(true, std::memory_order_relaxed);
  std::shared_ptr<const MessageHead> shared = std::move(head);

  for (auto& g : groups) {
    std::vector<QueuedRecipient> recipients;
    recipients.reserve(g.indices.size());
    std::uint32_t retries = 0;
    spool::SpoolTime first_attempt{};
    spool::SpoolTime next_attempt{};
    bool first = true;
    for (std::uint32_t i : g.indices) {
      const auto& r = message.recipients[i];
      recipients.push_back(QueuedRecipient{i, r.address});
      retries = std::max(retries, r.status.retries);
      if (!unset(r.status.first_attempt) && (unset(first_attempt) || r.status.first_attempt < first_attempt))
        first_attempt = r.status.first_attempt;
      // The group is due when its earliest recipient is.
      if (first || r.status.next_attempt < next_attempt) next_attempt = r.status.next_attempt;
      first = false;
    }
    QueueKey key{std::move(g.binding), std::move(g.domain)};
    const std::size_t index = loop_index(key);
    if (recovery) {
      auto& batch = recovery->gathering[index];
      batch.push_back(Recovery::Add{std::move(key), std::move(g.binding_group), shared, std::move(recipients), retries,
                                    first_attempt, next_attempt});
      if (batch.size() >= kRecoveryBatch) recovery->hand_over(index);
      continue;
    }
    QueueLoop* loop = loops_[index].get();
    boost::asio::post(loop->io(), [loop, key = std::move(key), group = std::move(g.binding_group), shared,
                                   recipients = std::move(recipients), retries, first_attempt,
                                   next_attempt]() mutable {
      loop->queue(key, group)->add(shared, std::move(recipients), retries, first_attempt, next_attempt);
    });
  }
}

bool Scheduler::first_attempt_soon(const spool::Message& message,
                                   const std::vector<routing::QueueGroup>& groups) const {
  const auto now = spool::to_spool_time(ctx_.clock.wall_now());
  const config::ConfigPtr config = ctx_.snapshot();
  for (const auto& g : groups) {
    bool due = false;
    for (std::uint32_t i : g.indices) due = due || message.recipients[i].status.next_attempt <= now;
    if (due && !delivery_suspended(config.get(), QueueKey{g.binding, g.domain})) return true;
  }
  return false;
}

void Scheduler::submit_generated(spool::Message message, spool::Body body) {
  commit_generated(std::move(message), std::move(body), false);
}

void Scheduler::commit_generated(spool::Message message, spool::Body body, bool retrying) {
  spool::Message copy = message;
  spool::Body kept = body;
  ctx_.store.commit_new(
      std::move(copy), std::move(body),
      [this, message = std::move(message), kept = std::move(kept), retrying](Result<void> r) mutable {
        if (!r) {
          if (r.error().code == ESHUTDOWN || loops_.empty()) {
            ctx_.log.problem(message.id.to_string() + ": generated message not spooled: " + r.error().message);
            return;
          }
          if (!retrying)
            ctx_.log.problem(message.id.to_string() + ": generated message not spooled: " + r.error().message +
                             " (tried again every second)");
          auto timer = std::make_shared<boost::asio::steady_timer>(loops_[0]->io(), std::chrono::seconds(1));
          timer->async_wait([this, timer, message = std::move(message), kept = std::move(kept)](
                                const boost::system::error_code& ec) mutable {
            if (!ec) commit_generated(std::move(message), std::move(kept), true);
          });
          return;
        }
        log_receptions(ctx_.log, message, ctx_.clock.wall_now());
        enqueue(message, std::move(kept));
      });
}

Result<spool::RecoverReport> Scheduler::recover() {
  Recovery recovery;
  recovery.config = ctx_.snapshot();
  recovery.gathering.resize(loops_.size());
  // The adder applies the additions while this thread reads on. The loops
  // do not run yet (the precondition), so until it is joined the adder is
  // the only thread touching the queues; the join hands them to the loops.
  std::thread adder([this, &recovery] {
    while (auto batch = recovery.next()) recovery.apply(*loops_[batch->loop], batch->adds);
  });
  struct Join {
    Recovery& r;
    std::thread& t;
    ~Join() {
      r.finish_scan();
      t.join();
    }
  } join{recovery, adder};
  auto report = ctx_.store.recover([this, &recovery](spool::Message&& m) {
    if (m.all_final()) {
      ctx_.store.remove(m.id, [log = &ctx_.log, id = m.id.to_string()](Result<void> r) {
        if (!r && r.error().code != ENOENT) log->problem(id + ": spool remove failed: " + r.error().message);
      });
      return;
    }
    enqueue(m, nullptr, &recovery);
  });
  for (std::size_t i = 0; i < recovery.gathering.size(); ++i)
    if (!recovery.gathering[i].empty()) recovery.hand_over(i);
  return report;
}

template <class T, class PerLoop>
void Scheduler::gather(PerLoop per_loop, std::function<void(std::vector<T>)> done) {
  struct State {
    std::mutex mu;
    std::vector<T> parts;
    std::size_t remaining = 0;
    std::function<void(std::vector<T>)> done;
  };
  auto st = std::make_shared<State>();
  st->parts.resize(loops_.size());
  st->remaining = loops_.size();
  st->done = std::move(done);
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    QueueLoop* loop = loops_[i].get();
    boost::asio::post(loop->io(), [st, i, loop, per_loop, log = &ctx_.log] {
      T part{};
      try {
        part = per_loop(*loop);
      } catch (const std::exception& e) {
        log->problem(std::string("queue console command failed: ") + e.what());
      }
      std::unique_lock lock(st->mu);
      st->parts[i] = std::move(part);
      if (--st->remaining > 0) return;
      auto parts = std::move(st->parts);
      auto finish = std::move(st->done);
      lock.unlock();
      if (finish) finish(std::move(parts));
    });
  }
}

template <class PerQueue>
void Scheduler::for_matching(const QueueFilter& filter, PerQueue per_queue, std::function<void(std::size_t)> done) {
  auto domain = lowered(filter.domain);
  gather<std::size_t>(
      [filter, domain, per_queue](QueueLoop& loop) {
        std::size_t n = 0;
        loop.for_each([&](DomainQueue& q) {
          if (matches(filter, domain, q)) n += per_queue(q);
        });
        return n;
      },
      std::function<void(std::vector<std::size_t>)>([done = std::move(done)](std::vector<std::size_t> parts) {
        std::size_t total = 0;
        for (auto n : parts) total += n;
        if (done) done(total);
      }));
}

void Scheduler::maintain_now(std::function<void()> done) {
  gather<int>(
      [](QueueLoop& loop) {
        loop.maintain();
        return 0;
      },
      std::function<void(std::vector<int>)>([done = std::move(done)](std::vector<int>) {
        if (done) done();
      }));
}

void Scheduler::queue_sizes(QueueFilter filter, std::function<void(std::vector<QueueSizes>)> done) {
  auto domain = lowered(filter.domain);
  gather<std::vector<QueueSizes>>(
      [filter, domain](QueueLoop& loop) {
        std::vector<QueueSizes> out;
        loop.for_each([&](DomainQueue& q) {
          if (matches(filter, domain, q)) out.push_back(q.sizes());
        });
        return out;
      },
      std::function<void(std::vector<std::vector<QueueSizes>>)>(
          [done = std::move(done)](std::vector<std::vector<QueueSizes>> parts) {
            std::vector<QueueSizes> all;
            for (auto& p : parts)
              for (auto& s : p) all.push_back(std::move(s));
            std::sort(all.begin(), all.end(), [](const QueueSizes& a, const QueueSizes& b) { return a.key < b.key; });
            if (done) done(std::move(all));
          }));
}

void Scheduler::show_queue(QueueKey key, std::size_t limit, std::size_t offset,
                           std::function<void(std::vector<QueuedMessageInfo>)> done) {
  key.domain = to_lower(key.domain);
  QueueLoop* loop = loops_[loop_index(key)].get();
  boost::asio::post(loop->io(), [loop, key = std::move(key), limit, offset, done = std::move(done)] {
    std::vector<QueuedMessageInfo> out;
    if (auto q = loop->find(key)) out = q->list(limit, offset);
    if (done) done(std::move(out));
  });
}

void Scheduler::find_message(spool::MessageId id, std::function<void(std::vector<QueuedMessageInfo>)> done) {
  gather<std::vector<QueuedMessageInfo>>(
      [id](QueueLoop& loop) {
        std::vector<QueuedMessageInfo> out;
        loop.for_each([&](DomainQueue& q) {
          if (auto i = q.find(id)) out.push_back(std::move(*i));
        });
        return out;
      },
      std::function<void(std::vector<std::vector<QueuedMessageInfo>>)>(
          [done = std::move(done)](std::vector<std::vector<QueuedMessageInfo>> parts) {
            std::vector<QueuedMessageInfo> all;
            for (auto& p : parts)
              for (auto& i : p) all.push_back(std::move(i));
            if (done) done(std::move(all));
          }));
}

void Scheduler::flush(QueueFilter filter, std::function<void(std::size_t)> done) {
  for_matching(filter, [](DomainQueue& q) { return q.flush(); }, std::move(done));
}

void Scheduler::fail_queues(QueueFilter filter, bool quiet, std::function<void(std::size_t)> done) {
  for_matching(filter, [quiet](DomainQueue& q) { return q.fail_all(quiet); }, std::move(done));
}

void Scheduler::retry_message(spool::MessageId id, std::function<void(MessageAction)> done) {
  gather<MessageAction>(
      [id](QueueLoop& loop) {
        MessageAction a = MessageAction::kNotFound;
        loop.for_each([&](DomainQueue& q) { a = combine(a, q.retry(id)); });
        return a;
      },
      std::function<void(std::vector<MessageAction>)>([done = std::move(done)](std::vector<MessageAction> parts) {
        MessageAction a = MessageAction::kNotFound;
        for (auto p : parts) a = combine(a, p);
        if (done) done(a);
      }));
}

void Scheduler::fail_message(spool::MessageId id, bool quiet, std::function<void(MessageAction)> done) {
  gather<MessageAction>(
      [id, quiet](QueueLoop& loop) {
        MessageAction a = MessageAction::kNotFound;
        loop.for_each([&](DomainQueue& q) { a = combine(a, q.fail(id, quiet)); });
        return a;
      },
      std::function<void(std::vector<MessageAction>)>([done = std::move(done)](std::vector<MessageAction> parts) {
        MessageAction a = MessageAction::kNotFound;
        for (auto p : parts) a = combine(a, p);
        if (done) done(a);
      }));
}

}  // namespace impulse::queue
