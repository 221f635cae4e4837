// Implementation of cluster/redis_limits.hpp.
#include "cluster/redis_limits.hpp"

#include <algorithm>
#include <utility>

#include "cluster/redis_link.hpp"
#include "cluster/redis_scripts.hpp"

namespace impulse::cluster {
namespace {

using Clock = std::chrono::steady_clock;
using routing::ClusterAnswer;
using routing::ClusterVerdict;

constexpr std::uint64_t kLocalLease = std::uint64_t{1} << 63;  // granted in degraded mode, not in Redis
constexpr std::chrono::milliseconds kDeniedPoll{250};          // a full key is asked again after this
constexpr std::chrono::seconds kClosedRetry{1};
constexpr std::chrono::seconds kReconnectEvery{1};
constexpr std::chrono::seconds kUnclaimedLease{5};
constexpr std::chrono::milliseconds kTokenLifetime{100};  // a batch may be spent over at least this long

ClusterAnswer denied(Clock::time_point at) { return ClusterAnswer{ClusterVerdict::kDenied, 0, at}; }
ClusterAnswer waiting() { return ClusterAnswer{ClusterVerdict::kWait, 0, {}}; }
ClusterAnswer granted(std::uint64_t lease = 0) { return ClusterAnswer{ClusterVerdict::kGranted, lease, {}}; }

std::int64_t interval_us(const config::RateSpec& rate) {
  return std::max<std::int64_t>(1, rate.per_seconds * 1000000 / std::max<std::int64_t>(rate.count, 1));
}

}  // namespace

RedisLimits::RedisLimits(ClusterSettings settings, Problem problem)
    : settings_(std::move(settings)), problem_(std::move(problem)), link_(std::make_unique<RedisLink>()) {}

RedisLimits::~RedisLimits() { stop(); }

void RedisLimits::start() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { run(); });
}

void RedisLimits::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::string RedisLimits::member(std::uint64_t lease) const { return settings_.node_name + ":" + std::to_string(lease); }

std::int64_t RedisLimits::batch_for(const config::RateSpec& rate) const {
  // A tenth of a second of this node's share, 1 to 16 tokens.
  const std::int64_t per_node_per_tenth =
      rate.count / std::max<std::int64_t>(1, rate.per_seconds * 10 * std::max<std::int64_t>(settings_.expected_nodes, 1));
  return std::clamp<std::int64_t>(per_node_per_tenth, 1, 16);
}

void RedisLimits::wake_all(std::vector<std::function<void()>>& waiters) {
  for (auto& w : waiters)
    if (w) w();
  waiters.clear();
}

// ---- the loops' side: non-blocking ----

ClusterAnswer RedisLimits::acquire_connection(const std::string& key, std::int64_t limit, std::function<void()> wake) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  LeaseKey& k = leases_[key];
  k.limit = limit;
  if (degraded_.load(std::memory_order_relaxed)) {
    if (settings_.fail_closed) return denied(now + kClosedRetry);
    const auto in_use = static_cast<std::int64_t>(k.in_redis.size() + k.local.size());
    if (in_use >= local_share(limit, settings_.expected_nodes)) return denied(now + kDeniedPoll);
    const std::uint64_t lease = kLocalLease | next_lease_++;
    k.local.push_back(lease);
    return granted(lease);
  }
  if (!k.ready.empty()) {
    const std::uint64_t lease = k.ready.front().first;
    k.ready.pop_front();
    k.in_redis.push_back(lease);
    return granted(lease);
  }
  if (now < k.denied_until) return denied(k.denied_until);
  if (wake) k.waiters.push_back(std::move(wake));
  if (!k.pending) {
    k.pending = true;
    jobs_.push_back(Job{Job::Kind::kAcquire, key, limit, next_lease_++, {}});
    cv_.notify_one();
  }
  return waiting();
}

void RedisLimits::release_connection(const std::string& key, std::uint64_t lease) {
  std::lock_guard lock(mutex_);
  auto it = leases_.find(key);
  if (it == leases_.end()) return;
  LeaseKey& k = it->second;
  if (auto local = std::find(k.local.begin(), k.local.end(), lease); local != k.local.end()) {
    k.local.erase(local);
    return;
  }
  // In Redis: taken there, or taken on the local share and adopted since.
  auto pos = std::find(k.in_redis.begin(), k.in_redis.end(), lease);
  if (pos == k.in_redis.end()) return;
  k.in_redis.erase(pos);
  jobs_.push_back(Job{Job::Kind::kRelease, key, 0, lease, {}});
  cv_.notify_one();
}

ClusterAnswer RedisLimits::take_token(const std::string& key, const config::RateSpec& rate, std::function<void()> wake) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  RateKey& k = rates_[key];
  if (!(k.rate == rate)) {
    k.rate = rate;
    k.local.reset();
    k.tokens = 0;
  }
  if (degraded_.load(std::memory_order_relaxed)) {
    if (settings_.fail_closed) return denied(now + kClosedRetry);
    if (!k.local)
      k.local = std::make_shared<routing::TokenBucket>(
          config::RateSpec{local_share(rate.count, settings_.expected_nodes), rate.per_seconds}, now);
    if (k.local->try_take(now)) return granted();
    return denied(k.local->next_token_at(now));
  }
  if (k.tokens > 0 && now < k.tokens_until) {
    --k.tokens;
    return granted();
  }
  k.tokens = 0;
  if (now < k.denied_until) return denied(k.denied_until);
  if (wake) k.waiters.push_back(std::move(wake));
  if (!k.pending) {
    k.pending = true;
    jobs_.push_back(Job{Job::Kind::kTokens, key, batch_for(rate), 0, rate});
    cv_.notify_one();
  }
  return waiting();
}

std::optional<routing::TokenBatch> RedisLimits::fetch_tokens(const std::string& key, const config::RateSpec& rate,
                                                             std::int64_t wanted,
                                                             std::function<void(routing::TokenBatch)> done) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  if (degraded_.load(std::memory_order_relaxed)) {
    if (settings_.fail_closed) return routing::TokenBatch{0, {}, now + kClosedRetry};
    RateKey& k = rates_[key];
    if (!k.local || !(k.rate == rate)) {
      k.rate = rate;
      k.local = std::make_shared<routing::TokenBucket>(
          config::RateSpec{local_share(rate.count, settings_.expected_nodes), rate.per_seconds}, now);
    }
    if (k.local->try_take(now)) return routing::TokenBatch{1, now + kTokenLifetime, {}};
    return routing::TokenBatch{0, {}, k.local->next_token_at(now)};
  }
  const std::int64_t cap = std::clamp<std::int64_t>(
      rate.count / std::max<std::int64_t>(1, rate.per_seconds * 10 * std::max<std::int64_t>(settings_.expected_nodes, 1)),
      1, kMaxFetch);
  jobs_.push_back(Job{Job::Kind::kFetch, key, std::clamp<std::int64_t>(wanted, 1, cap), 0, rate, std::move(done)});
  cv_.notify_one();
  return std::nullopt;
}

// ---- the worker ----

void RedisLimits::refuse_fetches(std::deque<Job>& jobs) {
  const auto now = Clock::now();
  for (auto& job : jobs)
    if (job.kind == Job::Kind::kFetch && job.done) std::exchange(job.done, nullptr)(routing::TokenBatch{0, {}, now});
}

void RedisLimits::set_state(bool up, std::string_view why) {
  connected_.store(up, std::memory_order_relaxed);
  degraded_.store(!up, std::memory_order_relaxed);
  const int next = up ? 1 : -1;
  if (next == state_) return;
  state_ = next;
  if (!problem_) return;
  if (up) {
    problem_("cluster: connected to Redis " + settings_.redis_text + " as node " + settings_.node_name);
  } else {
    problem_("cluster: degraded: Redis " + settings_.redis_text + " unreachable (" + std::string(why) +
             "); Cluster_Redis_Failure = " + (settings_.fail_closed ? "closed: no new connections for cluster-limited destinations"
                                                                       : "local_share: each node uses limit / Cluster_Expected_Nodes"));
  }
}

bool RedisLimits::ensure_link() {
  if (link_->usable()) return true;
  ++commands_;
  auto done = link_->connect(settings_.redis, settings_.redis_timeout);
  if (!done) {
    set_state(false, done.error().message);
    return false;
  }
  const bool was_degraded = degraded_.load(std::memory_order_relaxed);
  set_state(true, {});
  if (was_degraded) {
    adopt_local();
    if (!renew_all()) {
      link_->close();
      set_state(false, "command failed or timed out");
      return false;
    }
  }
  return true;
}

void RedisLimits::adopt_local() {
  // Connections opened on the local share are still open: count them in
  // Redis from now on (renew_all() writes them), released there on close.
  std::lock_guard lock(mutex_);
  for (auto& [key, k] : leases_) {
    k.in_redis.insert(k.in_redis.end(), k.local.begin(), k.local.end());
    k.local.clear();
  }
}

void RedisLimits::fail_pending() {
  // Redis is gone: whoever waits asks again and gets the degraded answer.
  std::vector<std::function<void()>> wake;
  std::deque<Job> fetches;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, k] : leases_) {
      k.pending = false;
      for (auto& w : k.waiters) wake.push_back(std::move(w));
      k.waiters.clear();
    }
    for (auto& [key, k] : rates_) {
      k.pending = false;
      for (auto& w : k.waiters) wake.push_back(std::move(w));
      k.waiters.clear();
    }
    std::deque<Job> dropped;
    for (auto& j : jobs_)
      if (j.kind == Job::Kind::kFetch) dropped.push_back(std::move(j));
    std::erase_if(jobs_, [](const Job& j) { return j.kind != Job::Kind::kRelease; });
    fetches.swap(dropped);
  }
  refuse_fetches(fetches);
  wake_all(wake);
}

bool RedisLimits::execute(const Job& job) {
  std::vector<std::function<void()>> wake;
  switch (job.kind) {
    case Job::Kind::kRelease: {
      ++commands_;
      auto r = link_->command({"ZREM", lease_key(job.key), member(job.lease)});
      return r.has_value() || link_->usable();
    }
    case Job::Kind::kAcquire: {
      ++commands_;
      auto r = link_->command({"EVAL", std::string(kAcquireLease), "1", lease_key(job.key), std::to_string(job.number),
                               std::to_string(settings_.lease_time.count() * 1000), member(job.lease)});
      if (!r && !link_->usable()) return false;
      std::lock_guard lock(mutex_);
      LeaseKey& k = leases_[job.key];
      k.pending = false;
      if (r && r->integer == 1)
        k.ready.emplace_back(job.lease, Clock::now());
      else
        k.denied_until = Clock::now() + kDeniedPoll;
      wake.swap(k.waiters);
      break;
    }
    case Job::Kind::kTokens: {
      const routing::TokenBatch got = eval_tokens(job);
      if (!link_->usable()) return false;
      std::lock_guard lock(mutex_);
      RateKey& k = rates_[job.key];
      k.pending = false;
      if (got.tokens > 0) {
        k.tokens = got.tokens;
        k.tokens_until = got.until;
      } else {
        k.denied_until = got.retry_at;
      }
      wake.swap(k.waiters);
      break;
    }
    case Job::Kind::kFetch: {
      const routing::TokenBatch got = eval_tokens(job);
      if (!link_->usable()) return false;  // the caller refuses it ("ask again now")
      if (job.done) job.done(got);
      return true;
    }
  }
  wake_all(wake);
  return true;
}

routing::TokenBatch RedisLimits::eval_tokens(const Job& job) {
  ++commands_;
  auto r = link_->command({"EVAL", std::string(kTakeTokens), "1", rate_key(job.key),
                           std::to_string(interval_us(job.rate)), std::to_string(job.rate.count),
                           std::to_string(job.number)});
  const auto now = Clock::now();
  const std::int64_t got = r && r->array.size() == 2 ? r->array[0] : 0;
  if (got > 0) {
    // Spent within the time they stand for, so a batch never adds to a later window.
    return routing::TokenBatch{
        got, now + std::max<std::chrono::microseconds>(std::chrono::microseconds(interval_us(job.rate) * got), kTokenLifetime),
        {}};
  }
  const std::int64_t wait = r && r->array.size() == 2 ? std::max<std::int64_t>(r->array[1], 1000) : 250000;
  return routing::TokenBatch{0, {}, now + std::chrono::microseconds(wait)};
}

bool RedisLimits::renew_all() {
  std::vector<std::vector<std::string>> calls;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, k] : leases_) {
      if (k.in_redis.empty() && k.ready.empty()) continue;
      std::vector<std::string> argv{"EVAL", std::string(kRenewLeases), "1", lease_key(key),
                                    std::to_string(settings_.lease_time.count() * 1000)};
      for (auto lease : k.in_redis) argv.push_back(member(lease));
      for (const auto& [lease, at] : k.ready) argv.push_back(member(lease));
      calls.push_back(std::move(argv));
    }
  }
  if (calls.empty()) return true;
  ++commands_;  // one round trip for every key's renewal
  return link_->pipeline(calls).has_value();
}

void RedisLimits::release_stale() {
  // Leases granted for a queue that no longer wanted them.
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  for (auto& [key, k] : leases_) {
    while (!k.ready.empty() && now - k.ready.front().second > kUnclaimedLease) {
      jobs_.push_back(Job{Job::Kind::kRelease, key, 0, k.ready.front().first, {}});
      k.ready.pop_front();
    }
  }
}

void RedisLimits::run() {
  const auto renew_every = std::max<std::chrono::milliseconds>(settings_.lease_time / 3, std::chrono::milliseconds(500));
  auto next_renew = Clock::now() + renew_every;
  auto last_io = Clock::now();
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) break;
    }
    if (!ensure_link()) {
      fail_pending();
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, kReconnectEvery, [this] { return stopping_; });
      continue;
    }
    std::deque<Job> jobs;
    {
      std::unique_lock lock(mutex_);
      const auto wake_at = std::min(next_renew, last_io + settings_.check_interval);
      cv_.wait_until(lock, wake_at, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) break;
      jobs.swap(jobs_);
    }
    bool ok = true;
    const bool had_jobs = !jobs.empty();
    while (!jobs.empty()) {
      if (!(ok = execute(jobs.front()))) break;
      jobs.pop_front();
    }
    const auto now = Clock::now();
    if (ok && now >= next_renew) {
      ok = renew_all();
      release_stale();
      next_renew = now + renew_every;
    }
    if (ok && !had_jobs && now - last_io >= settings_.check_interval) {
      ++commands_;
      ok = link_->command({"PING"}).has_value();
    }
    if (ok) {
      last_io = now;
      continue;
    }
    link_->close();
    set_state(false, "command failed or timed out");
    fail_pending();
    refuse_fetches(jobs);  // Redis failed under them: their callers ask again, now degraded
  }
  // Stopping: give back what this node holds, if Redis is there.
  if (link_->usable()) {
    std::vector<std::vector<std::string>> calls;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [key, k] : leases_) {
        std::vector<std::string> argv{"ZREM", lease_key(key)};
        for (auto lease : k.in_redis) argv.push_back(member(lease));
        for (const auto& [lease, at] : k.ready) argv.push_back(member(lease));
        if (argv.size() > 2) calls.push_back(std::move(argv));
      }
    }
    if (!calls.empty()) link_->pipeline(calls);  // one round trip
  }
  link_->close();
}

}  // namespace impulse::cluster
