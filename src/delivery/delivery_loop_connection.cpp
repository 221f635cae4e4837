// DeliveryLoop, part 2: one session's life, as a supervised coroutine on the
// queue's loop, for any transport (delivery/transport.hpp):
//   open (the transport connects to the chosen address or socket) -> on
//   failure quarantine the address or socket path (Host_Failure_Retry),
//   count the failure for the host (DomainHealth), hand the messages back
//   for the next address/MX;
//   -> deliver the messages it holds, up to the session's capacity at once
//   (each delivery its own coroutine when the capacity is above one), and
//   complete() each with its per-recipient outcomes and verdict -> take
//   more (orphans first, then the queue) -> when there is nothing, idle up
//   to the method's idle deadline (a new on_ready wakes it) -> close.
//   max_deliveries_per_connection (Session::deliveries_left) ends it early;
//   so does an empty Outbound_Throttle_Messages bucket.
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <limits>

#include "delivery/delivery_loop.hpp"
#include "delivery/delivery_metrics.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

// Jobs the session may still start: its deliveries_left less those running.
std::size_t startable(const Session& session, std::size_t running) {
  const std::size_t left = session.deliveries_left();
  if (left == kUnlimited) return left;
  return left > running ? left - running : 0;
}

queue::AttemptResult fail_every_recipient(const queue::DeliveryJob& job, std::string_view text, queue::Stage stage,
                                          const ConnectionRecord& rec) {
  queue::AttemptResult result;
  result.outcomes.assign(job.recipients.size(), queue::transient(std::string(text), stage, queue::Scope::kMessage,
                                                                 rec.address_text, 0, rec.target.host));
  return result;
}

}  // namespace

std::vector<queue::DeliveryJob> DeliveryLoop::take_jobs(const StatePtr& sp, std::size_t limit) {
  QueueState& st = *sp;
  std::vector<queue::DeliveryJob> jobs;
  if (st.takeable() == 0 || limit == 0) return jobs;
  std::size_t batch = std::min(std::max<std::size_t>(deps_.manager.take_batch, 1), limit);
  if (st.message_throttle) {
    // Outbound_Throttle_Messages: one token per message, taken one at a time.
    const SteadyTime now = clock_.now();
    if (!st.message_throttle->try_take(now)) {
      arm_throttle(sp, st.message_throttle->next_token_at(now));
      return jobs;
    }
    batch = 1;
  }
  if (!st.cluster_message_key.empty()) {
    // Cluster_Outbound_Throttle_Messages: every message, the first on a new session too.
    if (!cluster_message_token(sp)) return jobs;
    batch = 1;
  }
  while (jobs.size() < batch && !st.orphans.empty()) {
    jobs.push_back(std::move(st.orphans.front()));
    st.orphans.pop_front();
  }
  if (jobs.size() < batch && st.queue) {
    std::vector<queue::DeliveryJob> more = st.queue->take(batch - jobs.size());
    for (auto& job : more) jobs.push_back(std::move(job));
  }
  return jobs;
}

awaitable<void> DeliveryLoop::run_connection(StatePtr sp, RecordPtr rec) {
  QueueState& st = *sp;
  Transport* transport = st.transport;
  rec->state = ConnectionRecord::State::kConnecting;
  // Named, not temporaries: they live in this frame while open() runs.
  const SessionTarget where{rec->target, st.key, rec->id};
  const MethodSettingsPtr settings = st.settings;
  const queue::DeliveryJob& first = rec->jobs.front();
  auto opened = co_await transport->open(where, settings, first);
  if (!opened) {
    st.open_failure = std::move(opened.error().outcome);
    connection_failed(st, *rec);
    co_return;
  }
  rec->session = std::shared_ptr<Session>(std::move(*opened));
  Session& session = *rec->session;
  connection_opened(st, *rec);

  for (;;) {
    co_await start_jobs(sp, rec);
    if (rec->running > 0) {
      co_await wait_for_a_job(*rec);
      continue;
    }
    // Nothing running. Dead, or max_deliveries_per_connection reached:
    // messages still held go to another session.
    if (!rec->jobs.empty() || !session.reusable() || stopping_ || rec->retire) break;
    std::vector<queue::DeliveryJob> more = take_jobs(sp, session.deliveries_left());
    if (!more.empty()) {
      st.held += more.size();
      for (auto& job : more) rec->jobs.push_back(std::move(job));
      continue;
    }
    if ((st.message_throttle || (!st.cluster_message_key.empty() && !st.cluster_token_pending)) && st.takeable() > 0)
      break;  // throttled: close, pumped at the next token
    if (deps_.shared.starved()) break;  // another queue waits for a slot: give ours up rather than idle
    rec->state = ConnectionRecord::State::kIdle;
    const SessionIdleEnd end = co_await session.idle();  // deadline: the method's idle_timeout
    if (end != SessionIdleEnd::kWoken || stopping_ || rec->retire) break;
    rec->state = ConnectionRecord::State::kDelivering;
  }
  orphan(st, *rec);
  rec->state = ConnectionRecord::State::kClosing;
  co_await session.close();  // within the method's deadline
}

awaitable<void> DeliveryLoop::start_jobs(const StatePtr& sp, const RecordPtr& rec) {
  Session& session = *rec->session;
  for (;;) {
    // A session with room for more than it holds tops up from the queue
    // while its deliveries run (HTTP/2 streams, pipelines).
    const std::size_t capacity = std::max<std::size_t>(session.capacity(), 1);
    while (capacity > 1 && session.reusable() && !stopping_ && !rec->retire &&
           rec->running + rec->jobs.size() < capacity) {
      const std::size_t room =
          std::min(capacity - rec->running - rec->jobs.size(), startable(session, rec->running + rec->jobs.size()));
      std::vector<queue::DeliveryJob> more = take_jobs(sp, room);
      if (more.empty()) break;
      sp->held += more.size();
      for (auto& job : more) rec->jobs.push_back(std::move(job));
    }
    // A retiring session (refresh domain, a verdict on its host) starts
    // nothing new: what it has not started goes to another session.
    if (rec->jobs.empty() || rec->running >= capacity || rec->retire || !session.reusable() ||
        startable(session, rec->running) == 0)
      co_return;
    rec->state = ConnectionRecord::State::kDelivering;
    queue::DeliveryJob job = std::move(rec->jobs.front());
    rec->jobs.pop_front();
    ++rec->running;
    if (capacity == 1) {
      co_await deliver_job(sp, rec, std::move(job));  // one at a time: no coroutine per message
    } else {
      // deliver_job catches what its transport throws; the supervisor is the last net.
      runtime::spawn(io_.get_executor(), sp->key.to_string() + ": connection " + rec->id + ": delivery",
                     deliver_job(sp, rec, std::move(job)), {.problems = deps_.manager.problem});
    }
  }
}

awaitable<void> DeliveryLoop::wait_for_a_job(ConnectionRecord& rec) {
  if (!rec.signalled) {
    // Deadline: none of its own; each running delivery has the transport's.
    rec.signal.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await rec.signal.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  rec.signalled = false;
}

awaitable<void> DeliveryLoop::deliver_job(StatePtr sp, RecordPtr rec, queue::DeliveryJob job) {
  QueueState& st = *sp;
  job.connection_id = rec->id;
  queue::AttemptResult result;
  auto body = job.load_body();
  if (!body) {
    problem(job.id().to_string() + ": " + st.key.to_string() + ": cannot read the body: " + body.error().message);
    result = fail_every_recipient(job, queue::internal_reply::kBodyUnavailable, queue::Stage::kIdle, *rec);
  } else {
    std::exception_ptr error;
    const std::shared_ptr<Session> session = rec->session;  // outlives the record's reference
    try {
      result = co_await session->deliver(job, std::move(*body));
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      problem(runtime::describe_failure(job.id().to_string() + ": " + st.key.to_string() + ": connection " +
                                            rec->id + " to " + rec->address_text + ": delivery failed",
                                        error));
      result = fail_every_recipient(job, queue::internal_reply::kAgentFailure, queue::Stage::kUnknown, *rec);
    }
  }
  if (result.hold && result.hold->target == queue::Hold::Target::kHost) {
    apply_host_verdict(st, *rec, *result.hold);
  } else if (result.hold) {
    // Applied here, on the queue's loop, before anything else is taken:
    // the completion below is posted and would come too late.
    apply_queue_verdict(st, *result.hold);
    result.hold.reset();
  }
  complete(st, std::move(job), std::move(result));
  --rec->running;
  rec->signalled = true;
  rec->signal.cancel();
  // Messages that reached the active queue while this session was busy:
  // each completion looks at how many sessions the queue wants now.
  if (!stopping_ && st.takeable() > 0) pump(sp);
}

void DeliveryLoop::apply_host_verdict(QueueState& st, const ConnectionRecord& rec, const queue::Hold& hold) {
  // A verdict on a host (e.g. a push service answering 503 with
  // Retry-After): its addresses are not used until then, like a failed
  // address (SPEC §3 rule 3), but for at least the verdict's time.
  const std::chrono::seconds span = std::max(hold.at_least, st.policy.host_failure_retry);
  const SteadyTime until = clock_.now() + span;
  if (rec.target.unix_socket()) {
    st.host_health->hold(rec.target.socket_path, until);
  } else if (const routing::RouteHost* host = st.record ? st.record->host(rec.target.host) : nullptr) {
    for (const auto& address : host->addresses) st.host_health->hold(address, until);
  } else {
    st.host_health->hold(rec.target.address, until);
  }
  // Its sessions of this queue finish what they run and close, rather than
  // take more mail to a host that said no.
  for (const auto& other : st.connections) {
    if (other->target.host != rec.target.host || other->retire) continue;
    other->retire = true;
    other->wake_idle();
  }
  problem(st.key.to_string() + ": host " + rec.target.host + " held for " + std::to_string(span.count()) +
          " s: " + hold.reason);
}

void DeliveryLoop::apply_queue_verdict(QueueState& st, const queue::Hold& hold) {
  // The queue decides until when (queue::DomainQueue::hold). The jobs this
  // queue's sessions took but have not started, and the orphans, go back
  // untried; the sessions close rather than idle on a held queue.
  st.queue->hold(hold);
  for (const auto& rec : st.connections) {
    for (auto it = rec->jobs.rbegin(); it != rec->jobs.rend(); ++it) st.queue->release(std::move(*it));
    st.held -= std::min(st.held, rec->jobs.size());
    rec->jobs.clear();
    rec->retire = true;
    rec->wake_idle();
  }
  for (auto it = st.orphans.rbegin(); it != st.orphans.rend(); ++it) st.queue->release(std::move(*it));
  st.orphans.clear();
}

void DeliveryLoop::complete(QueueState& st, queue::DeliveryJob job, queue::AttemptResult result) {
  if (st.held > 0) --st.held;
  if (deps_.manager.metrics && st.method) deps_.manager.metrics->count(*st.method, result);
  st.queue->complete(std::move(job), std::move(result));
}

void DeliveryLoop::connection_opened(QueueState& st, ConnectionRecord& rec) {
  st.open_failure.reset();
  if (rec.target.unix_socket()) {
    st.host_health->record_success(rec.target.socket_path);
  } else {
    st.host_health->record_success(rec.target.address);
  }
  st.domain_health.record_success(rec.target.host);
}

void DeliveryLoop::connection_failed(QueueState& st, ConnectionRecord& rec) {
  // SPEC §3 rule 3: not used again for Host_Failure_Retry; the messages go
  // to the next address or MX (the pump that follows chooses it).
  const SteadyTime now = clock_.now();
  if (rec.target.unix_socket()) {
    st.host_health->record_failure(rec.target.socket_path, now);
  } else {
    st.host_health->record_failure(rec.target.address, now);
  }
  st.domain_health.record_failure(rec.target.host, now);
  orphan(st, rec);
}

void DeliveryLoop::orphan(QueueState& st, ConnectionRecord& rec) {
  for (auto it = rec.jobs.rbegin(); it != rec.jobs.rend(); ++it) st.orphans.push_front(std::move(*it));
  st.held -= std::min(st.held, rec.jobs.size());
  rec.jobs.clear();
}

void DeliveryLoop::connection_ended(const StatePtr& st, const RecordPtr& rec, std::exception_ptr error) {
  if (error) {
    // runtime::spawn has reported the exception with the coroutine's name.
    for (auto& job : rec->jobs) {
      queue::AttemptResult result =
          fail_every_recipient(job, queue::internal_reply::kAgentFailure, queue::Stage::kUnknown, *rec);
      complete(*st, std::move(job), std::move(result));
    }
    rec->jobs.clear();
  } else {
    orphan(*st, *rec);
  }
  // Deliveries still running keep the session alive through their own
  // reference; the record forgets it.
  rec->session.reset();

  QueueState& s = *st;
  s.load.open_connections -= 1;
  if (auto it = s.load.open_by_host.find(rec->target.host); it != s.load.open_by_host.end()) {
    if (--it->second <= 0) s.load.open_by_host.erase(it);
  }
  deps_.shared.add_host(s.key.binding, rec->target.host, -1);
  deps_.shared.release_server();
  release_cluster_lease(*rec);
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (deps_.manager.metrics && rec->method) deps_.manager.metrics->connection_closed(*rec->method);
  s.connections.remove(rec);

  if (deps_.shared.take_starved() && deps_.starved_released) deps_.starved_released();
  if (stopping_) {
    maybe_finish_stop();
    return;
  }
  pump(st);
}

}  // namespace impulse::delivery
