// Implementation of queue/domain_queue.hpp.
#include "queue/domain_queue.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <boost/asio/post.hpp>
#include <exception>
#include <functional>

#include "queue/delivery_agent.hpp"
#include "queue/event_log.hpp"
#include "queue/outcome_handler.hpp"
#include "queue/queue_loop.hpp"
#include "queue/queue_options.hpp"
#include "queue/retry_policy.hpp"

namespace impulse::queue {
namespace {

// Comparator that makes the std heap functions keep the earliest due on top.
struct Later {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return a.due > b.due;
  }
};

bool unset(spool::SpoolTime t) { return t.time_since_epoch().count() == 0; }

// Past message_expiration at `now` (never when expiry is off): retry_policy's
// rule on a spool time.
bool past_expiry(const RetryOptions& retry, spool::SpoolTime received, WallTime now) {
  return expired(retry, std::chrono::time_point_cast<WallTime::duration>(received), now);
}

// How a message that expires without an attempt fails ("exceeded max time", a bounce).
Outcome exceeded_max_time() {
  return permanent(std::string(internal_reply::kExceededMaxTime), Stage::kNotConnected);
}

}  // namespace

DomainQueue::DomainQueue(QueueKey key, std::string binding_group, QueueLoop& loop, QueueContext& ctx)
    : key_(std::move(key)), binding_group_(std::move(binding_group)), loop_(loop), ctx_(ctx) {}

boost::asio::io_context& DomainQueue::loop() const { return loop_.io(); }

// ---- state bookkeeping ----

void DomainQueue::count(EntryState s, std::int64_t delta) {
  switch (s) {
    case EntryState::kActive:
      waiting_ = static_cast<std::size_t>(static_cast<std::int64_t>(waiting_) + delta);
      ctx_.counters.waiting.fetch_add(delta, std::memory_order_relaxed);
      break;
    case EntryState::kInFlight:
      in_flight_ = static_cast<std::size_t>(static_cast<std::int64_t>(in_flight_) + delta);
      ctx_.counters.in_flight.fetch_add(delta, std::memory_order_relaxed);
      break;
    case EntryState::kDelayed:
      delayed_count_ = static_cast<std::size_t>(static_cast<std::int64_t>(delayed_count_) + delta);
      ctx_.counters.delayed.fetch_add(delta, std::memory_order_relaxed);
      break;
  }
}

void DomainQueue::leave(Entry& e) {
  count(e.state, -1);
  ++e.gen;
}

void DomainQueue::to_active(const spool::MessageId& id, Entry& e) {
  if (hold_to_delayed_ && held_until_) {
    // A dead domain's queue (a to_delayed hold): what becomes due or arrives
    // meanwhile waits in the delayed queue for the hold's end, as the
    // console shows it, instead of sitting active but held.
    to_delayed(id, e, *held_until_);
    return;
  }
  e.state = EntryState::kActive;
  count(e.state, +1);
  active_.push_back(Slot{id, e.gen});
  request_notify();
}

void DomainQueue::to_delayed(const spool::MessageId& id, Entry& e, spool::SpoolTime due) {
  e.head->resident_body.release();  // a delayed message does not keep its body in memory
  e.state = EntryState::kDelayed;
  e.next_attempt = due;
  count(e.state, +1);
  delayed_.push_back(DelayedSlot{due, id, e.gen});
  std::push_heap(delayed_.begin(), delayed_.end(), Later{});
  if (!scheduled_wake_ || due < *scheduled_wake_) {
    scheduled_wake_ = due;
    loop_.schedule_wake(*this, due);
  }
}

void DomainQueue::to_in_flight(Entry& e) {
  e.state = EntryState::kInFlight;
  count(e.state, +1);
}

void DomainQueue::erase(Entries::iterator it) {
  leave(it->second);
  entries_.erase(it);
}

bool DomainQueue::live(const Slot& s, EntryState state) const {
  auto it = entries_.find(s.id);
  return it != entries_.end() && it->second.state == state && it->second.gen == s.gen;
}

void DomainQueue::compact() {
  if (active_.size() > 2 * waiting_ + 64) {
    std::deque<Slot> kept;
    for (const auto& s : active_)
      if (live(s, EntryState::kActive)) kept.push_back(s);
    active_.swap(kept);
  }
  if (delayed_.size() > 2 * delayed_count_ + 64) {
    std::erase_if(delayed_, [&](const DelayedSlot& d) { return !live(Slot{d.id, d.gen}, EntryState::kDelayed); });
    std::make_heap(delayed_.begin(), delayed_.end(), Later{});
  }
}

// ---- options ----

const QueueOptions& DomainQueue::options() const {
  const config::ConfigPtr snapshot = ctx_.snapshot();
  // The weak pointer tells a live current snapshot from a new one that
  // happens to reuse a freed one's address.
  const bool current = options_cached_ && snapshot.get() == options_for_ &&
                       (snapshot == nullptr || !options_snapshot_.expired());
  if (!current) {
    options_ = read_queue_options(snapshot.get(), key_);
    options_for_ = snapshot.get();
    options_snapshot_ = snapshot;
    options_cached_ = true;
    ++options_reads_;
  }
  return options_;
}

// ---- agent notification ----

// Every entry into the active queue asks; one post per queue is pending at
// most, and the agent is told whether or not it already has the queue
// (queue/delivery_agent.hpp point 1).
void DomainQueue::request_notify() {
  if (notify_posted_) return;
  notify_posted_ = true;
  boost::asio::post(loop_.io(), [self = shared_from_this()] {
    self->notify_posted_ = false;
    self->notify();
  });
}

void DomainQueue::notify() {
  if (waiting_ == 0 || held_until_) return;
  if (options().suspend_delivery) {
    fail_expired(EntryState::kActive);
    if (waiting_ > 0) loop_.watch_suspended(*this);
    return;
  }
  try {
    ctx_.agent.on_ready(shared_from_this());
  } catch (const std::exception& e) {
    ctx_.log.problem(key_.to_string() + ": delivery agent on_ready threw: " + e.what());
  }
}

void DomainQueue::recheck() { notify(); }

// Expiry is otherwise checked when an attempt fails (retry_policy.hpp); a
// queue that makes no attempt checks it here instead: a suspended queue at
// each recheck (every delayed_queue_scan_interval), a dead domain's queue
// (a to_delayed hold, whose messages go back untried) at each hold. The
// messages in `state` past message_expiration fail as a failed attempt
// after expiry would ("exceeded max time", a bounce).
void DomainQueue::fail_expired(EntryState state) {
  const RetryOptions& retry = options().retry;
  const WallTime now = ctx_.clock.wall_now();
  // Nothing here is older than the bound: no scan (a suspended queue of a
  // million messages is rechecked every delayed_queue_scan_interval).
  if (!oldest_received_ || !past_expiry(retry, *oldest_received_, now)) return;
  std::vector<spool::MessageId> gone;
  std::optional<spool::SpoolTime> oldest_kept;
  for (const auto& [id, e] : entries_) {
    if (e.state == state && past_expiry(retry, e.head->received, now))
      gone.push_back(id);
    else if (!oldest_kept || e.head->received < *oldest_kept)
      oldest_kept = e.head->received;
  }
  oldest_received_ = oldest_kept;
  for (const auto& id : gone) {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.state != state) continue;
    fail_entry(it, exceeded_max_time(), false);
  }
  if (!gone.empty()) compact();
}

// ---- route verdicts ----

void DomainQueue::hold(const Hold& h) {
  const spool::SpoolTime now = spool::to_spool_time(ctx_.clock.wall_now());
  const std::chrono::seconds length =
      h.at_least > std::chrono::seconds::zero() ? h.at_least : options().retry.retry_interval;
  const spool::SpoolTime asked = now + length;
  if (!held_until_ || asked > *held_until_) {
    held_until_ = asked;
    held_reason_ = h.reason;
    loop_.schedule_wake(*this, asked);
  }
  const spool::SpoolTime until = *held_until_;
  if (h.to_delayed) {
    hold_to_delayed_ = true;
    for (const Slot& s : active_) {
      auto it = entries_.find(s.id);
      if (it == entries_.end() || it->second.state != EntryState::kActive || it->second.gen != s.gen) continue;
      leave(it->second);
      to_delayed(it->first, it->second, until);
    }
    active_.clear();
    fail_expired(EntryState::kDelayed);  // they would only come back untried
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(until - now).count();
  ctx_.log.problem(key_.to_string() + ": queue held for " + std::to_string(seconds) + " s: " + h.reason);
}

void DomainQueue::end_hold() {
  if (!held_until_) return;
  held_until_.reset();
  held_reason_.clear();
  hold_to_delayed_ = false;
  if (waiting_ > 0) request_notify();
}

void DomainQueue::wake(spool::SpoolTime when, spool::SpoolTime now) {
  if (held_until_ && *held_until_ <= now) end_hold();
  // A sweep time the queue no longer wants (swept or flushed since) is stale.
  if (scheduled_wake_ == when) sweep(now);
}

// ---- agent side ----

std::vector<DeliveryJob> DomainQueue::take(std::size_t max_messages) {
  std::vector<DeliveryJob> jobs;
  if (max_messages == 0 || held_until_) return jobs;
  const QueueOptions& options = this->options();
  if (options.suspend_delivery) {
    if (waiting_ > 0) loop_.watch_suspended(*this);
    return jobs;
  }
  const WallTime now = ctx_.clock.wall_now();
  while (jobs.size() < max_messages && !active_.empty()) {
    const Slot s = active_.front();
    active_.pop_front();
    auto it = entries_.find(s.id);
    if (it == entries_.end() || it->second.state != EntryState::kActive || it->second.gen != s.gen) continue;
    Entry& e = it->second;
    if (options.never_attempt_expired &&
        expired(options.retry, std::chrono::time_point_cast<WallTime::duration>(e.head->received), now)) {
      fail_entry(it, permanent(std::string(internal_reply::kNotAttemptedExpired), Stage::kNotConnected), false);
      continue;
    }
    leave(e);
    to_in_flight(e);
    e.first_attempt_by_take = unset(e.first_attempt);
    if (e.first_attempt_by_take) e.first_attempt = spool::to_spool_time(now);
    jobs.push_back(DeliveryJob{e.head, e.recipients, key_, e.retries, {}, {}, e.gen, &ctx_.store});
  }
  compact();
  return jobs;
}

void DomainQueue::complete(DeliveryJob job, AttemptResult result) {
  boost::asio::post(loop_.io(), [self = shared_from_this(), job = std::move(job), result = std::move(result)]() mutable {
    try {
      self->finish(std::move(job), std::move(result));
    } catch (const std::exception& e) {
      self->ctx_.log.problem(self->key_.to_string() + ": completing a delivery failed: " + e.what());
    }
  });
}

void DomainQueue::release(DeliveryJob job) {
  boost::asio::post(loop_.io(), [self = shared_from_this(), job = std::move(job)]() mutable {
    try {
      self->put_back(std::move(job));
    } catch (const std::exception& e) {
      self->ctx_.log.problem(self->key_.to_string() + ": releasing a job failed: " + e.what());
    }
  });
}

DomainQueue::Entries::iterator DomainQueue::in_flight_entry(const DeliveryJob& job, std::string_view what) {
  auto it = entries_.find(job.message->id);
  if (it == entries_.end() || it->second.state != EntryState::kInFlight || it->second.gen != job.ticket) {
    ctx_.log.problem(job.message->id.to_string() + ": " + key_.to_string() + ": " + std::string(what) +
                     " of a job that is not in flight, ignored");
    return entries_.end();
  }
  return it;
}

void DomainQueue::put_back(DeliveryJob job) {
  if (!job.message) return;
  auto it = in_flight_entry(job, "release");
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (held_until_ && hold_to_delayed_ && past_expiry(options().retry, e.head->received, ctx_.clock.wall_now())) {
    fail_entry(it, exceeded_max_time(), false);
    return;  // untried under a dead domain's hold, and past its expiry
  }
  leave(e);
  if (e.first_attempt_by_take) e.first_attempt = {};
  e.first_attempt_by_take = false;
  if (held_until_ && hold_to_delayed_) {
    to_delayed(it->first, e, *held_until_);
    return;
  }
  // Not to_active(): the front, and no notification (the agent gave it back).
  e.state = EntryState::kActive;
  count(e.state, +1);
  active_.push_front(Slot{it->first, e.gen});
  // Suspended since it was taken: the agent is told again once lifted.
  if (options().suspend_delivery) loop_.watch_suspended(*this);
}

void DomainQueue::finish(DeliveryJob job, AttemptResult result) {
  if (!job.message) return;
  auto it = in_flight_entry(job, "completion");
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.first_attempt_by_take = false;
  if (result.outcomes.size() != e.recipients.size()) {
    ctx_.log.problem(job.message->id.to_string() + ": " + key_.to_string() + ": delivery agent gave " +
                     std::to_string(result.outcomes.size()) + " outcomes for " +
                     std::to_string(e.recipients.size()) + " recipients");
    result.outcomes.resize(e.recipients.size(), transient(std::string(internal_reply::kNoOutcome), Stage::kUnknown));
  }
  OutcomeHandler handler(ctx_);
  AttemptVerdict v =
      handler.apply(AttemptFacts{&key_, binding_group_, e.head.get(), e.recipients, result.outcomes, e.retries,
                                 e.first_attempt, job.connection_id, job.batch_id, false, &options()});
  delivered_ += v.delivered;
  failed_ += v.failed;
  if (v.retry.empty()) {
    erase(it);
  } else {
    leave(e);
    e.recipients = std::move(v.retry);
    e.retries = v.retries;
    to_delayed(it->first, e, v.next_attempt);
  }
  if (result.hold && result.hold->target == Hold::Target::kQueue) hold(*result.hold);
}

void DomainQueue::fail_entry(Entries::iterator it, const Outcome& outcome, bool quiet) {
  Entry& e = it->second;
  std::vector<Outcome> outcomes(e.recipients.size(), outcome);
  OutcomeHandler handler(ctx_);
  AttemptVerdict v = handler.apply(AttemptFacts{&key_, binding_group_, e.head.get(), e.recipients, outcomes,
                                                e.retries, e.first_attempt, {}, {}, quiet, &options()});
  failed_ += v.failed;
  erase(it);
}

// ---- scheduler side ----

void DomainQueue::add(std::shared_ptr<const MessageHead> message, std::vector<QueuedRecipient> recipients,
                      std::uint32_t retries, spool::SpoolTime first_attempt, spool::SpoolTime next_attempt) {
  const spool::MessageId id = message->id;
  auto [it, inserted] = entries_.try_emplace(id);
  if (!inserted) {
    ctx_.log.problem(id.to_string() + ": " + key_.to_string() + ": queued twice, ignored");
    return;
  }
  ++received_;
  Entry& e = it->second;
  if (!oldest_received_ || message->received < *oldest_received_) oldest_received_ = message->received;
  e.head = std::move(message);
  e.recipients = std::move(recipients);
  e.retries = retries;
  e.first_attempt = first_attempt;
  const auto now = spool::to_spool_time(ctx_.clock.wall_now());
  if (next_attempt > now)
    to_delayed(id, e, next_attempt);
  else
    to_active(id, e);
}

std::size_t DomainQueue::sweep(spool::SpoolTime now) {
  scheduled_wake_.reset();
  std::size_t moved = 0;
  while (!delayed_.empty() && delayed_.front().due <= now) {
    std::pop_heap(delayed_.begin(), delayed_.end(), Later{});
    const DelayedSlot d = delayed_.back();
    delayed_.pop_back();
    auto it = entries_.find(d.id);
    if (it == entries_.end() || it->second.state != EntryState::kDelayed || it->second.gen != d.gen) continue;
    leave(it->second);
    to_active(it->first, it->second);
    ++moved;
  }
  if (!delayed_.empty()) {
    scheduled_wake_ = delayed_.front().due;
    loop_.schedule_wake(*this, *scheduled_wake_);
  }
  return moved;
}

std::size_t DomainQueue::flush() {
  end_hold();  // the operator says "try now"
  std::sort(delayed_.begin(), delayed_.end(), [](const DelayedSlot& a, const DelayedSlot& b) { return a.due < b.due; });
  std::size_t moved = 0;
  for (const auto& d : delayed_) {
    auto it = entries_.find(d.id);
    if (it == entries_.end() || it->second.state != EntryState::kDelayed || it->second.gen != d.gen) continue;
    leave(it->second);
    to_active(it->first, it->second);
    ++moved;
  }
  delayed_.clear();
  scheduled_wake_.reset();
  return moved;
}

MessageAction DomainQueue::retry(const spool::MessageId& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return MessageAction::kNotFound;
  Entry& e = it->second;
  if (e.state == EntryState::kInFlight) return MessageAction::kInFlight;
  end_hold();  // the operator says "try now"
  if (e.state == EntryState::kDelayed) {
    leave(e);
    to_active(id, e);
    compact();
  }
  return MessageAction::kDone;
}

MessageAction DomainQueue::fail(const spool::MessageId& id, bool quiet) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return MessageAction::kNotFound;
  if (it->second.state == EntryState::kInFlight) return MessageAction::kInFlight;
  fail_entry(it, permanent(std::string(internal_reply::kManuallyFailed), Stage::kNotConnected), quiet);
  compact();
  return MessageAction::kDone;
}

std::size_t DomainQueue::fail_all(bool quiet) {
  const Outcome purged = permanent(std::string(internal_reply::kManuallyPurged), Stage::kNotConnected);
  std::vector<spool::MessageId> ids;
  ids.reserve(entries_.size());
  for (const auto& [id, e] : entries_)
    if (e.state != EntryState::kInFlight) ids.push_back(id);
  for (const auto& id : ids) fail_entry(entries_.find(id), purged, quiet);
  // Every remaining slot is stale unless in flight: drop them at once.
  active_.clear();
  delayed_.clear();
  scheduled_wake_.reset();
  return ids.size();
}

QueueSizes DomainQueue::sizes() const {
  QueueSizes s;
  s.key = key_;
  s.binding_group = binding_group_;
  s.in_flight = in_flight_;
  s.active = waiting_ + in_flight_;
  s.delayed = delayed_count_;
  s.received = received_;
  s.delivered = delivered_;
  s.failed = failed_;
  s.suspended = options().suspend_delivery;
  s.held_until = held_until_;
  s.held_reason = held_reason_;
  return s;
}

QueuedMessageInfo DomainQueue::info(const spool::MessageId& id, const Entry& e) const {
  QueuedMessageInfo i;
  i.key = key_;
  i.id = id;
  i.state = e.state;
  i.received = e.head->received;
  i.next_attempt = e.state == EntryState::kDelayed ? e.next_attempt : spool::SpoolTime{};
  i.retries = e.retries;
  i.size = e.head->size;
  i.sender = e.head->sender;
  for (const auto& r : e.recipients) i.recipients.push_back(r.address);
  return i;
}

std::vector<QueuedMessageInfo> DomainQueue::list(std::size_t limit, std::size_t offset) const {
  std::vector<QueuedMessageInfo> out;
  std::size_t skipped = 0;
  auto visit = [&](const spool::MessageId& id, const Entry& e) {
    if (out.size() >= limit) return false;
    if (skipped < offset) {
      ++skipped;
      return true;
    }
    out.push_back(info(id, e));
    return true;
  };
  for (const auto& s : active_) {
    auto it = entries_.find(s.id);
    if (it == entries_.end() || it->second.state != EntryState::kActive || it->second.gen != s.gen) continue;
    if (!visit(it->first, it->second)) return out;
  }
  for (const auto& [id, e] : entries_)
    if (e.state == EntryState::kInFlight && !visit(id, e)) return out;
  std::vector<DelayedSlot> delayed = delayed_;
  std::sort(delayed.begin(), delayed.end(), [](const DelayedSlot& a, const DelayedSlot& b) { return a.due < b.due; });
  for (const auto& d : delayed) {
    auto it = entries_.find(d.id);
    if (it == entries_.end() || it->second.state != EntryState::kDelayed || it->second.gen != d.gen) continue;
    if (!visit(it->first, it->second)) return out;
  }
  return out;
}

std::optional<QueuedMessageInfo> DomainQueue::find(const spool::MessageId& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return info(id, it->second);
}

}  // namespace impulse::queue
