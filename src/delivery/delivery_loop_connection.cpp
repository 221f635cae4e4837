// DeliveryLoop, part 2: one outbound connection's life, as a supervised
// coroutine on the queue's loop (smtp/smtp_connection.hpp for the session):
//   open (connect from bind_address, or to a Unix socket; banner, EHLO,
//   STARTTLS) -> on failure quarantine the address or socket path
//   (Host_Failure_Retry), count the failure for the
//   host (DomainHealth), hand the messages back for the next address/MX;
//   -> deliver each message it holds and complete() it with the
//   per-recipient outcomes -> take more (orphans first, then the queue) ->
//   when there is nothing, idle up to idle_timeout (a new on_ready wakes it)
//   -> QUIT. max_deliveries_per_connection (SmtpConnection::reusable) ends
//   it early; so does an empty Outbound_Throttle_Messages bucket.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "delivery/delivery_loop.hpp"
#include "spool/message.hpp"

namespace impulse::delivery {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// Momentum has no text for "the spool could not give us the body";
// RFC 3463 4.3.0 is "other or undefined mail system status".
constexpr std::string_view kBodyUnavailableText = "451 4.3.0 [internal] message body unavailable";
// An exception escaped a connection coroutine (a bug): its messages are
// retried later rather than left in flight.
constexpr std::string_view kAgentFailureText = "451 4.3.0 [internal] delivery agent failure";

// How many more messages a connection may carry (max_deliveries_per_connection).
std::size_t deliveries_left(const smtp::SmtpSettings& settings, std::uint32_t done) {
  const std::uint32_t max = settings.max_deliveries_per_connection;
  if (max == 0) return static_cast<std::size_t>(-1);
  return max > done ? max - done : 0;
}

std::string sender_domain(const queue::DeliveryJob& job) {
  if (auto parts = spool::split_address(job.sender())) return std::string(parts->domain);
  return {};
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
  const std::shared_ptr<const smtp::SmtpSettings> settings = st.settings;
  smtp::SmtpTarget target{rec->target.host, rec->address_text, rec->target.port, st.key.domain};
  if (rec->target.unix_socket()) {
    // A local socket: the peer is this machine ("localhost" for TLS names
    // and the DSN's Remote-MTA); address (the logs' remote_ip) is the path.
    target.host = "localhost";
    target.unix_socket = true;
  }
  std::string ehlo_domain;
  if (settings->ehlo_from_sender && !rec->jobs.empty()) ehlo_domain = sender_domain(rec->jobs.front());

  rec->state = ConnectionRecord::State::kConnecting;
  auto opened = co_await smtp::SmtpConnection::open(io_.get_executor(), std::move(target), settings,
                                                    std::move(ehlo_domain));
  if (!opened) {
    st.open_failure = std::move(opened.error().outcome);
    connection_failed(st, *rec);
    co_return;
  }
  std::unique_ptr<smtp::SmtpConnection> conn = std::move(*opened);
  rec->connection = conn.get();
  connection_opened(st, *rec);

  for (;;) {
    while (!rec->jobs.empty() && conn->reusable()) {
      rec->state = ConnectionRecord::State::kDelivering;
      queue::DeliveryJob job = std::move(rec->jobs.front());
      rec->jobs.pop_front();
      co_await deliver_job(st, *rec, std::move(job));
      // Messages that reached the active queue while the agent had it gave
      // no new on_ready (queue/delivery_agent.hpp), so without this the
      // queue would keep the connections it had when its first messages
      // came: each completion looks at how many the queue wants now.
      if (!stopping_ && st.takeable() > 0) pump(sp);
    }
    // Dead, or max_deliveries_per_connection reached: messages still held
    // go to another connection.
    if (!conn->reusable() || stopping_ || rec->retire) break;
    std::vector<queue::DeliveryJob> more = take_jobs(sp, deliveries_left(*settings, conn->deliveries()));
    if (!more.empty()) {
      st.held += more.size();
      for (auto& job : more) rec->jobs.push_back(std::move(job));
      continue;
    }
    if (st.message_throttle && st.takeable() > 0) break;  // throttled: QUIT, pumped at the next token
    if (deps_.shared.starved()) break;  // another queue waits for a slot: give ours up rather than idle
    rec->state = ConnectionRecord::State::kIdle;
    const smtp::IdleEnd end = co_await conn->idle();  // deadline: idle_timeout
    if (end != smtp::IdleEnd::kWoken || stopping_ || rec->retire) break;
    rec->state = ConnectionRecord::State::kDelivering;
  }
  orphan(st, *rec);
  rec->state = ConnectionRecord::State::kClosing;
  co_await conn->close();  // QUIT (rset_timeout) if still alive
  rec->connection = nullptr;
}

awaitable<void> DeliveryLoop::deliver_job(QueueState& st, ConnectionRecord& rec, queue::DeliveryJob job) {
  job.connection_id = rec.id;
  queue::AttemptResult result;
  auto body = job.load_body();
  if (!body) {
    problem(job.id().to_string() + ": " + st.key.to_string() + ": cannot read the body: " + body.error().message);
    result.outcomes.assign(job.recipients.size(),
                           queue::transient(std::string(kBodyUnavailableText), queue::Stage::kIdle,
                                            queue::Scope::kMessage, rec.address_text, 0, rec.target.host));
  } else {
    smtp::SmtpJob smtp_job;
    smtp_job.sender = job.sender();
    smtp_job.recipients.reserve(job.recipients.size());
    for (const auto& r : job.recipients) smtp_job.recipients.push_back(r.address);
    smtp_job.body = std::move(*body);
    // XCLIENT: the queue keeps no client facts (MessageHead has no peer
    // address or HELO), so the original client is "unknown".
    result = co_await rec.connection->deliver(smtp_job);
  }
  complete(st, std::move(job), std::move(result));
}

void DeliveryLoop::complete(QueueState& st, queue::DeliveryJob job, queue::AttemptResult result) {
  if (st.held > 0) --st.held;
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
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    problem(st->key.to_string() + ": connection " + rec->id + " to " + rec->address_text +
            ": run_connection failed: " + what);
    for (auto& job : rec->jobs) {
      queue::AttemptResult result;
      result.outcomes.assign(job.recipients.size(),
                             queue::transient(std::string(kAgentFailureText), queue::Stage::kUnknown,
                                              queue::Scope::kMessage, rec->address_text, 0, rec->target.host));
      complete(*st, std::move(job), std::move(result));
    }
    rec->jobs.clear();
  } else {
    orphan(*st, *rec);
  }
  rec->connection = nullptr;

  QueueState& s = *st;
  s.load.open_connections -= 1;
  if (auto it = s.load.open_by_host.find(rec->target.host); it != s.load.open_by_host.end()) {
    if (--it->second <= 0) s.load.open_by_host.erase(it);
  }
  deps_.shared.add_host(s.key.binding, rec->target.host, -1);
  deps_.shared.release_server();
  open_.fetch_sub(1, std::memory_order_relaxed);
  s.connections.remove(rec);

  if (deps_.shared.take_starved() && deps_.starved_released) deps_.starved_released();
  if (stopping_) {
    maybe_finish_stop();
    return;
  }
  pump(st);
}

}  // namespace impulse::delivery
