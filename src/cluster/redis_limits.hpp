// RedisLimits: routing::ClusterLimits shared through Redis (SPEC §18;
// DESIGN.md "cluster/"). Connection slots are leases (a ZSET per key of
// "node:id" members scored by expiry) taken one per connection, renewed
// together (one EVAL per key for all of this node's leases of that key,
// every key's in one pipelined round trip per Cluster_Lease_Time / 3) and
// released on close, so a dead node's slots
// come back within Cluster_Lease_Time. Rates are a GCRA in Redis; a node
// takes a small batch of tokens at once (at most a tenth of a second of its
// share, at most 16) and spends them locally within the time they stand
// for, so most messages need no Redis round trip. The delivery loops take
// their tokens in larger batches (fetch_tokens, sized by the rate each loop
// spends at, refilled ahead of need) through their own
// routing::ClusterTokenCache; take_token remains for one-off callers.
//
// Threading: the public calls are non-blocking and thread-safe (one mutex,
// short sections; any delivery loop). All Redis I/O runs on one worker
// thread owned by this object over hiredis' synchronous API (RedisLink):
// a blocking client on its own thread needs no fd adapter on every loop,
// and the loops only ever read what the worker has already fetched. Wake
// callbacks run on the worker thread.
// Failure modes: every Redis call has a deadline (ClusterSettings::
// redis_timeout); a failure makes the node degraded until a reconnect
// works (tried every second, an idle link PINGed every check_interval):
// Cluster_Redis_Failure = local_share grants up to floor(limit /
// Cluster_Expected_Nodes) (>= 1) per node; closed denies new connections
// and tokens of cluster-limited destinations. Each switch is reported once
// through `problem` ("cluster: degraded ...", "cluster: connected ...").
// When Redis comes back, the connections opened on the local share while it
// was away are registered as leases (one renew EVAL per key, right after the
// reconnect, before any queued request), so the fleet counts them: the
// limit may be exceeded until they close (they were opened under the local
// share), but no new lease is granted past it meanwhile.
// Why the blocking hiredis API on one worker thread, not an Asio adapter:
// the delivery loops are many io_contexts and a hiredis async context
// belongs to one; one thread with a deadline per call keeps every loop
// free of Redis I/O, needs no fd adapter, and batches (leases, tokens)
// keep its calls to a fraction per message (bench/README.md).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cluster/cluster_settings.hpp"
#include "routing/cluster_limits.hpp"
#include "routing/throttle.hpp"

namespace impulse::cluster {

class RedisLink;

class RedisLimits final : public routing::ClusterLimits {
 public:
  using Problem = std::function<void(std::string_view)>;
  RedisLimits(ClusterSettings settings, Problem problem);
  ~RedisLimits() override;  // stops the worker
  RedisLimits(const RedisLimits&) = delete;
  RedisLimits& operator=(const RedisLimits&) = delete;

  void start();  // the worker thread: connects, then serves
  void stop();   // releases this node's leases if Redis is there, joins

  routing::ClusterAnswer acquire_connection(const std::string& key, std::int64_t limit,
                                            std::function<void()> wake) override;
  void release_connection(const std::string& key, std::uint64_t lease) override;
  routing::ClusterAnswer take_token(const std::string& key, const config::RateSpec& rate,
                                    std::function<void()> wake) override;
  // One EVAL for up to `wanted` tokens (at most this node's share of a
  // tenth of a second, kMaxFetch); degraded: answered at once (closed: none
  // for a second; local_share: one token of the local bucket).
  std::optional<routing::TokenBatch> fetch_tokens(const std::string& key, const config::RateSpec& rate,
                                                  std::int64_t wanted,
                                                  std::function<void(routing::TokenBatch)> done) override;
  static constexpr std::int64_t kMaxFetch = 4096;
  bool connected() const override { return connected_.load(std::memory_order_relaxed); }

  // Redis commands sent so far (bench: operations per message).
  std::uint64_t commands() const { return commands_.load(std::memory_order_relaxed); }
  const ClusterSettings& settings() const { return settings_; }

 private:
  using Time = std::chrono::steady_clock::time_point;
  struct LeaseKey {
    std::int64_t limit = 0;
    std::vector<std::uint64_t> in_redis;            // leases in Redis, in use
    std::deque<std::pair<std::uint64_t, Time>> ready;  // granted by Redis, not yet claimed
    std::vector<std::uint64_t> local;               // degraded grants in use (not in Redis yet)
    bool pending = false;
    Time denied_until{};
    std::vector<std::function<void()>> waiters;
  };
  struct RateKey {
    config::RateSpec rate;
    std::int64_t tokens = 0;
    Time tokens_until{};
    bool pending = false;
    Time denied_until{};
    std::vector<std::function<void()>> waiters;
    std::shared_ptr<routing::TokenBucket> local;  // degraded share
  };
  struct Job {
    enum class Kind { kAcquire, kRelease, kTokens, kFetch } kind;
    std::string key;
    std::int64_t number = 0;  // limit or wanted tokens
    std::uint64_t lease = 0;
    config::RateSpec rate;
    std::function<void(routing::TokenBatch)> done = {};  // kFetch: called once, whatever happens (not after stop)
  };

  void run();
  bool ensure_link();
  void set_state(bool connected, std::string_view why);
  void fail_pending();
  bool execute(const Job& job);
  routing::TokenBatch eval_tokens(const Job& job);  // the GCRA EVAL: what it granted, or when to ask again
  static void refuse_fetches(std::deque<Job>& jobs);  // a kFetch that will not run: "ask again now"
  bool renew_all();
  void adopt_local();
  void release_stale();
  std::string member(std::uint64_t lease) const;
  std::string lease_key(const std::string& key) const { return "impulse:lease:" + key; }
  std::string rate_key(const std::string& key) const { return "impulse:rate:" + key; }
  std::int64_t batch_for(const config::RateSpec& rate) const;
  static void wake_all(std::vector<std::function<void()>>& waiters);

  const ClusterSettings settings_;
  Problem problem_;
  std::unique_ptr<RedisLink> link_;  // the worker's only
  std::atomic<bool> connected_{false};
  // Set once a connect or command failed, cleared when Redis answers again.
  // Before the first connect neither is set: requests wait for it.
  std::atomic<bool> degraded_{false};
  int state_ = 0;  // worker: 0 unknown, 1 connected, -1 degraded (for logging once each way)
  std::atomic<std::uint64_t> commands_{0};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<Job> jobs_;
  std::map<std::string, LeaseKey, std::less<>> leases_;
  std::map<std::string, RateKey, std::less<>> rates_;
  std::uint64_t next_lease_ = 1;
  std::thread worker_;
};

}  // namespace impulse::cluster
