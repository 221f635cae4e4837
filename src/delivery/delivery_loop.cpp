// DeliveryLoop, part 1: queue states, their transport and settings, the
// domain record, the pump that decides how many sessions to open and where,
// failures and verdicts that apply to the whole queue, `refresh domain` and
// the expiry timer. The session coroutine is in delivery_loop_connection.cpp,
// the console's view of a domain in delivery_loop_view.cpp.
#include "delivery/delivery_loop.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>

#include "delivery/delivery_metrics.hpp"
#include "routing/route_plan.hpp"
#include "routing/routing_failure.hpp"
#include "routing/routing_inputs.hpp"
#include "runtime/spawn.hpp"

namespace impulse::delivery {

namespace asio = boost::asio;

namespace {

// A record is used for at least this long after it was built, so a TTL of 0
// cannot turn every pump into a new lookup.
constexpr std::chrono::seconds kMinRecordLife{1};
// Address failures are forgotten after this long (or Host_Failure_Retry if longer).
constexpr std::chrono::seconds kHealthHorizon{24 * 3600};
// Messages completed per take() when a whole queue fails at once.
constexpr std::size_t kFailBatch = 256;

bool record_usable(const routing::DomainRecord& record, SteadyTime now) {
  return now < std::max(record.expires_at, record.built_at + kMinRecordLife);
}

queue::Outcome routing_outcome(const routing::RoutingFailure& failure) {
  return failure.permanent ? queue::permanent(failure.text, queue::Stage::kNotConnected, queue::Scope::kDomain)
                           : queue::transient(failure.text, queue::Stage::kNotConnected, queue::Scope::kDomain);
}

queue::Outcome no_mx_reachable() {
  return queue::transient(std::string(queue::internal_reply::kNoMxReachable), queue::Stage::kNotConnected,
                          queue::Scope::kDomain);
}

// No host is usable. A host that could not be connected to at all leaves
// the generic text (SPEC §3 rule 4); one that answered and then failed the
// session set-up (a 421 banner, a timeout, STARTTLS or a certificate
// refused) leaves its own reply or [internal] text and stage.
queue::Outcome unreachable_outcome(const QueueState& st) {
  if (st.open_failure && st.open_failure->stage != queue::Stage::kNotConnected) return *st.open_failure;
  return no_mx_reachable();
}

}  // namespace

const char* connection_state_name(ConnectionRecord::State state) {
  switch (state) {
    case ConnectionRecord::State::kConnecting: return "connecting";
    case ConnectionRecord::State::kDelivering: return "delivering";
    case ConnectionRecord::State::kIdle: return "idle";
    case ConnectionRecord::State::kClosing: return "closing";
  }
  return "unknown";
}

DeliveryLoop::DeliveryLoop(asio::io_context& io, DeliveryLoopDeps deps, std::unique_ptr<dns::Resolver> resolver)
    : io_(io),
      deps_(std::move(deps)),
      clock_(deps_.manager.clock),
      resolver_(std::move(resolver)),
      random_(deps_.seed),
      builder_(*resolver_, clock_, random_),
      cache_(builder_, clock_,
             [source = deps_.manager.config](const routing::RecordKey& key) {
               const config::ConfigPtr config = source ? source() : nullptr;
               if (!config) return routing::RouteInputs{};
               return routing::route_inputs_from_config(*config, config::OutboundKey{key.binding, key.domain});
             }),
      chooser_(random_),
      expiry_timer_(io) {}

DeliveryLoop::~DeliveryLoop() { *alive_ = false; }

// ---- queue states and pumping ----

DeliveryLoop::StatePtr DeliveryLoop::state_for(const queue::QueueKey& key) {
  auto it = states_.find(key);
  if (it == states_.end()) it = states_.emplace(key, std::make_shared<QueueState>(key)).first;
  return it->second;
}

void DeliveryLoop::on_ready(const std::shared_ptr<queue::DomainQueue>& queue) {
  if (stopping_ || !queue) return;
  StatePtr st = state_for(queue->key());
  st->queue = queue;
  pump(st);
}

void DeliveryLoop::pump(const StatePtr& st) {
  // Re-entry (a record callback that runs inline, a completion) only asks
  // the running pump to go round once more.
  if (st->pumping) {
    st->repump = true;
    return;
  }
  st->pumping = true;
  try {
    do {
      st->repump = false;
      pump_once(st);
    } while (st->repump);
  } catch (const std::exception& e) {
    problem(st->key.to_string() + ": connection manager pump failed: " + e.what());
  }
  st->pumping = false;
}

void DeliveryLoop::refresh_snapshot(QueueState& st) {
  config::ConfigPtr config = deps_.manager.config ? deps_.manager.config() : nullptr;
  if (st.host_health == nullptr) st.host_health = &deps_.shared.host_health(st.key.binding);
  if (st.config && config == st.config) return;
  st.config = config;
  st.settings = nullptr;
  st.transport = nullptr;
  st.method.reset();
  if (!config) {
    st.settings_error = "no configuration";
    return;
  }
  const config::OutboundKey key{st.key.binding, st.key.domain};
  st.policy = routing::connection_policy_from_config(*config, key);
  const std::string& method_name = config->resolve(key, "delivery_method").value->as_string();
  const auto method = routing::parse_delivery_method(method_name);
  st.transport = method ? transport_for(*method) : nullptr;
  st.method = method;
  if (!st.transport) {
    st.settings_error = "Delivery_Method " + method_name + " has no transport in this build";
    problem(st.key.to_string() + ": cannot deliver: " + st.settings_error);
  } else if (auto settings = st.transport->settings(config, key)) {
    st.settings = std::move(*settings);
    st.settings_error.clear();
  } else {
    st.settings_error = settings.error().message;
    problem(st.key.to_string() + ": cannot deliver: " + st.settings_error);
  }
  // `Host` limits, looked up once per host name and snapshot.
  auto limits = std::make_shared<std::map<std::string, std::int64_t, std::less<>>>();
  st.host_limit = [config, binding = st.key.binding, limits](std::string_view host) {
    auto it = limits->find(host);
    if (it == limits->end()) it = limits->emplace(std::string(host), routing::host_max_connections(*config, binding, host)).first;
    return it->second;
  };
  auto& throttles = deps_.shared.throttles();
  st.connection_throttle = routing::throttle_bucket(throttles, *config, key, routing::ThrottleKind::Connections);
  st.message_throttle = routing::throttle_bucket(throttles, *config, key, routing::ThrottleKind::Messages);
  read_cluster_limits(st, *config);
}

Transport* DeliveryLoop::transport_for(routing::DeliveryMethod method) {
  if (auto it = transports_.find(method); it != transports_.end()) return it->second.get();
  const TransportFactory* factory = deps_.transports.find(method);
  if (!factory || !*factory) return nullptr;
  auto made = (*factory)(io_);
  if (made) made->use_resolver(*resolver_);
  Transport* raw = made.get();
  transports_.emplace(method, std::move(made));
  return raw;
}

namespace {

// A record rebuilt because its TTL ran out may list other hosts (a reloaded
// Routes, changed DNS): the new routes apply now (SPEC §3), so connections to
// a host, port or address it no longer lists finish their message and QUIT,
// as after `refresh domain`; idle ones QUIT now.
void retire_unlisted(QueueState& st, const routing::DomainRecord& record) {
  for (const auto& rec : st.connections) {
    const routing::RouteHost* host = record.host(rec->target.host);
    const bool listed = host && (host->addresses.empty() ||
                                 (host->port == rec->target.port &&
                                  std::find(host->addresses.begin(), host->addresses.end(), rec->target.address) !=
                                      host->addresses.end()));
    if (listed || rec->retire) continue;
    rec->retire = true;
    rec->wake_idle();
  }
}

}  // namespace

bool DeliveryLoop::ensure_record(const StatePtr& st) {
  if (st->record && record_usable(*st->record, clock_.now())) return true;
  if (st->lookup_pending) return false;
  st->lookup_pending = true;
  std::weak_ptr<QueueState> weak = st;
  cache_.get(routing::RecordKey{st->key.binding, st->key.domain},
             [this, weak](std::shared_ptr<const routing::DomainRecord> record) {
               StatePtr s = weak.lock();
               if (!s) return;
               if (record && s->record && record != s->record) retire_unlisted(*s, *record);
               s->record = std::move(record);
               s->lookup_pending = false;
               pump(s);  // inline (cache hit, literals only): the running pump goes round again
             });
  return !st->lookup_pending && st->record;
}

std::size_t DeliveryLoop::wake_idle(QueueState& st, std::size_t work) {
  const std::size_t batch = std::max<std::size_t>(deps_.manager.take_batch, 1);
  std::size_t woken = 0;
  for (const auto& rec : st.connections) {
    if (woken * batch >= work) break;
    if (rec->state == ConnectionRecord::State::kIdle && rec->session && !rec->retire) {
      rec->wake_idle();
      rec->state = ConnectionRecord::State::kDelivering;  // it will take when it resumes
      ++woken;
    }
  }
  return woken;
}

void DeliveryLoop::fill_host_totals(QueueState& st) {
  st.load.host_total_open.clear();
  if (!st.record || !st.host_limit) return;
  for (const auto& host : st.record->hosts) {
    if (st.host_limit(host.name) >= 0)
      st.load.host_total_open[host.name] = deps_.shared.host_open(st.key.binding, host.name);
  }
}

void DeliveryLoop::pump_once(const StatePtr& sp) {
  QueueState& st = *sp;
  if (stopping_ || !st.queue || st.takeable() == 0) return;
  refresh_snapshot(st);
  if (!ensure_record(sp)) return;  // a build is in flight; its callback pumps again

  if (!st.settings) {
    fail_all(st, queue::transient(std::string(queue::internal_reply::kMethodUnavailable),
                                  queue::Stage::kNotConnected, queue::Scope::kDomain));
    return;
  }
  if (st.record->usable()) wake_idle(st, st.takeable());

  const SteadyTime now = clock_.now();
  if (st.record->usable() && st.message_throttle) {
    const SteadyTime next = st.message_throttle->next_token_at(now);
    if (next > now) {
      arm_throttle(sp, next);
      return;
    }
  }
  while (st.takeable() > 0) {
    st.load.active_messages = st.work();
    st.load.server_open_connections = deps_.shared.total();
    fill_host_totals(st);
    const routing::ChoiceContext context{*st.record,        st.load,           st.policy,
                                         st.host_limit,     *st.host_health,   st.domain_health,
                                         st.connection_throttle.get(), now};
    routing::Choice choice = chooser_.choose(context);
    switch (choice.status) {
      case routing::ChoiceStatus::Connect:
        if (!deps_.shared.acquire_server(st.policy.server_max_outbound_connections)) {
          if (!st.starved) {
            st.starved = true;
            starved_.push_back(sp);
          }
          deps_.shared.mark_starved();
          return;
        }
        {
          std::vector<ClusterLease> leases;  // Cluster_Max_Outbound_Connections (SPEC §18)
          if (!cluster_admits_connection(sp, choice.target->host, leases)) {
            deps_.shared.release_server();
            return;  // woken by the cluster backend, or at its retry time
          }
          if (!start_connection(sp, std::move(*choice.target), std::move(leases))) return;  // nothing to take (suspended)
        }
        continue;
      case routing::ChoiceStatus::RecordFailed:
        fail_all(st, routing_outcome(*choice.failure));
        return;
      case routing::ChoiceStatus::AtQueueLimit:
        return;
      case routing::ChoiceStatus::AtServerLimit:
      case routing::ChoiceStatus::HostsAtLimit:
        if (!st.starved) {
          st.starved = true;
          starved_.push_back(sp);
        }
        deps_.shared.mark_starved();  // the next connection to close anywhere pumps us again
        return;
      case routing::ChoiceStatus::Throttled:
        arm_throttle(sp, choice.retry_at);
        return;
      case routing::ChoiceStatus::NoUsableHost:
        // SPEC §3 rule 4; with connections still open they serve the queue.
        if (st.load.open_connections == 0) fail_all(st, unreachable_outcome(st));
        return;
      case routing::ChoiceStatus::DelayDomain:
        delay_domain(st);  // SPEC §3 rule 5: a verdict on the queue, not a failure per message
        return;
    }
  }
}

bool DeliveryLoop::start_connection(const StatePtr& st, routing::ConnectTarget target,
                                    std::vector<ClusterLease> leases) {
  const std::uint32_t max_deliveries = st->settings->max_deliveries_per_session;
  std::vector<queue::DeliveryJob> jobs =
      take_jobs(st, max_deliveries == 0 ? static_cast<std::size_t>(-1) : max_deliveries);
  if (jobs.empty()) {
    deps_.shared.release_server();
    release_cluster_leases(leases);
    return false;
  }
  auto rec = std::make_shared<ConnectionRecord>(io_.get_executor());
  rec->id = std::to_string(deps_.shared.next_connection_id());
  rec->target = std::move(target);
  rec->address_text = rec->target.address_text();
  rec->method = st->method;
  rec->cluster_leases = std::move(leases);
  if (deps_.manager.metrics && rec->method) deps_.manager.metrics->connection_opened(*rec->method);
  for (auto& job : jobs) rec->jobs.push_back(std::move(job));
  st->held += rec->jobs.size();

  st->load.open_connections += 1;
  st->load.open_by_host[rec->target.host] += 1;
  deps_.shared.add_host(st->key.binding, rec->target.host, 1);
  open_.fetch_add(1, std::memory_order_relaxed);
  st->connections.push_back(rec);

  std::weak_ptr<bool> alive = alive_;
  runtime::spawn(io_.get_executor(), st->key.to_string() + ": connection " + rec->id + " to " + rec->address_text,
                 run_connection(st, rec),
                 {.problems = deps_.manager.problem,
                  .on_done = [this, st, rec, alive](std::exception_ptr error) {
                    if (alive.expired() || !*alive.lock()) return;
                    connection_ended(st, rec, error);
                  }});
  return true;
}

void DeliveryLoop::fail_all(QueueState& st, const queue::Outcome& outcome) {
  auto complete_with = [&](queue::DeliveryJob job) {
    queue::AttemptResult result;
    result.outcomes.assign(job.recipients.size(), outcome);
    if (deps_.manager.metrics && st.method) deps_.manager.metrics->count(*st.method, result);
    st.queue->complete(std::move(job), std::move(result));
  };
  std::deque<queue::DeliveryJob> orphans;
  orphans.swap(st.orphans);
  for (auto& job : orphans) complete_with(std::move(job));
  for (;;) {
    std::vector<queue::DeliveryJob> jobs = st.queue->take(kFailBatch);
    for (auto& job : jobs) complete_with(std::move(job));
    if (jobs.size() < kFailBatch) break;
  }
}

void DeliveryLoop::delay_domain(QueueState& st) {
  // The orphans' sessions failed to open: they were not attempted, so they
  // go back untried, and the queue moves its active queue to the delayed
  // queue and says so once (queue::DomainQueue::hold).
  queue::Hold hold;
  hold.target = queue::Hold::Target::kQueue;
  hold.to_delayed = true;
  hold.reason = "no MX could be reached (" + std::to_string(st.domain_health.consecutive_failures()) +
                " consecutive connection failures; Mx_Failures_To_Delay / Connect_Timeout_To_Delay)";
  apply_queue_verdict(st, hold);
  st.domain_health.reset();
}

void DeliveryLoop::arm_throttle(const StatePtr& st, SteadyTime at) {
  if (st->throttle_armed || stopping_) return;
  st->throttle_armed = true;
  if (!st->throttle_timer) st->throttle_timer.emplace(io_);
  // Deadline: the next token of Outbound_Throttle_Connections / _Messages.
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(at - clock_.now());
  if (delay < std::chrono::milliseconds(1)) delay = std::chrono::milliseconds(1);
  st->throttle_timer->expires_after(delay);
  std::weak_ptr<QueueState> weak = st;
  std::weak_ptr<bool> alive = alive_;
  st->throttle_timer->async_wait([this, weak, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    StatePtr s = weak.lock();
    if (!s) return;
    s->throttle_armed = false;
    pump(s);
  });
}

void DeliveryLoop::pump_starved() {
  std::vector<std::weak_ptr<QueueState>> starved;
  starved.swap(starved_);
  for (auto& weak : starved) {
    if (StatePtr s = weak.lock()) {
      s->starved = false;
      pump(s);
    }
  }
}

// ---- lifecycle ----

void DeliveryLoop::start() {
  if (started_ || stopping_) return;
  started_ = true;
  arm_expiry();
}

void DeliveryLoop::arm_expiry() {
  const config::ConfigPtr config = deps_.manager.config ? deps_.manager.config() : nullptr;
  std::int64_t seconds = config ? config->global("dns_expire_interval").as_int() : 10;
  // Deadline: dns_expire_interval.
  expiry_timer_.expires_after(std::chrono::seconds(std::max<std::int64_t>(seconds, 1)));
  std::weak_ptr<bool> alive = alive_;
  expiry_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopping_) return;
    expire_now();
    arm_expiry();
  });
}

void DeliveryLoop::expire_now() {
  cache_.evict_expired();
  if (deps_.purge_host_health) {
    // Failures older than any sensible Host_Failure_Retry (domain scope may
    // raise it above the global value) no longer matter.
    const config::ConfigPtr config = deps_.manager.config ? deps_.manager.config() : nullptr;
    std::int64_t retry = config ? config->global("host_failure_retry").as_int() : 120;
    deps_.shared.purge_host_health(clock_.now(), std::chrono::seconds(std::max<std::int64_t>(retry, kHealthHorizon.count())));
  }
  for (auto it = states_.begin(); it != states_.end();) {
    const QueueState& st = *it->second;
    const bool idle = st.connections.empty() && st.orphans.empty() && st.held == 0 && !st.lookup_pending &&
                      !st.throttle_armed && !st.starved && !st.pumping &&
                      (!st.queue || st.queue->waiting() == 0) && st.domain_health.consecutive_failures() == 0;
    it = idle ? states_.erase(it) : std::next(it);
  }
}

void DeliveryLoop::stop(std::function<void()> done) {
  stopping_ = true;
  expiry_timer_.cancel();
  for (auto& [key, st] : states_) {
    if (st->throttle_timer) st->throttle_timer->cancel();
    for (const auto& rec : st->connections) rec->wake_idle();
  }
  if (done) stop_waiters_.push_back(std::move(done));
  maybe_finish_stop();
}

void DeliveryLoop::maybe_finish_stop() {
  if (!stopping_ || open_.load(std::memory_order_relaxed) != 0) return;
  auto waiters = std::move(stop_waiters_);
  stop_waiters_.clear();
  for (auto& w : waiters) w();
}

// ---- console (describe() is in delivery_loop_view.cpp) ----

std::size_t DeliveryLoop::refresh(std::string_view domain) {
  const bool all = domain.empty();
  const std::string name = all ? std::string() : routing::normalize_domain(domain);
  const std::size_t started = all ? cache_.refresh_all() : cache_.refresh(name);
  std::vector<StatePtr> affected;
  for (auto& [key, st] : states_) {
    if (all || key.domain == name) {
      st->record.reset();
      // New routes apply at once: connections made from the old record
      // finish their message and QUIT; idle ones QUIT now.
      for (const auto& rec : st->connections) {
        rec->retire = true;
        rec->wake_idle();
      }
      affected.push_back(st);
    }
  }
  for (auto& st : affected) pump(st);
  return started;
}

void DeliveryLoop::problem(const std::string& text) const {
  if (deps_.manager.problem) deps_.manager.problem(text);
}

}  // namespace impulse::delivery
