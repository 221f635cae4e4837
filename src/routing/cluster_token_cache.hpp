// ClusterTokenCache: one delivery loop's tokens of the shared rates
// (Cluster_Outbound_Throttle_Messages / _Connections, SPEC §18), held in
// batches fetched from a ClusterLimits backend and spent per message with
// no lock and no call into the backend.
// Refilled ahead of need: when a key's tokens fall to half the last batch,
// the next batch is asked for while the loop keeps spending, so a busy
// loop does not wait for Redis. The batch size follows the rate this loop
// spends at (about kHorizon of it, from 1 to kMaxBatch; the backend grants
// at most its node's share), so a fast queue makes a few fetches a second
// and a throttled one asks for one token at a time (no prefetch: a token
// fetched early would only expire unused).
// Tokens are spent before the `until` their batch came with (the time they
// stand for in the shared rate), oldest batch first; the rest expire.
// Leaves to others: the shared decision (the backend's GCRA), which key a
// limit uses and what a wait means (DeliveryLoop), connection leases.
// Thread: owned by one loop; every call on that loop. The backend's answers
// come back through `post` (which must run the function on that loop) and
// are dropped once the cache is gone.
// Failure modes: none of its own; a backend that cannot answer (Redis down)
// answers "none now, ask again at T" and the cache reports kDenied until T.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "routing/cluster_limits.hpp"

namespace impulse::routing {

class ClusterTokenCache {
 public:
  using Time = std::chrono::steady_clock::time_point;
  // Runs a function on the owning loop (e.g. asio::post to its io_context).
  using Post = std::function<void(std::function<void()>)>;

  static constexpr std::chrono::milliseconds kHorizon{50};  // a batch is ~ this much of the observed rate
  static constexpr std::int64_t kMaxBatch = 4096;
  static constexpr std::int64_t kMinPrefetchBatch = 4;      // smaller batches are not fetched ahead

  ClusterTokenCache(ClusterLimits& backend, Post post);
  ~ClusterTokenCache() = default;
  ClusterTokenCache(const ClusterTokenCache&) = delete;
  ClusterTokenCache& operator=(const ClusterTokenCache&) = delete;

  // One token of `key` (rate.count > 0) at `now`. kGranted: spend it;
  // kWait: a batch is on its way (on_refill to be woken); kDenied: none
  // before retry_at. Cost: a map lookup; a backend call once per batch.
  ClusterAnswer take(const std::string& key, const config::RateSpec& rate, Time now);
  // `wake` runs once, on the owning loop, when the batch `key` waits for
  // has come (or the backend said when to ask again).
  void on_refill(const std::string& key, std::function<void()> wake);

  // Tokens held for `key` now, the size asked for last, fetches made (tests, bench).
  std::int64_t held(const std::string& key, Time now) const;
  std::int64_t last_wanted(const std::string& key) const;
  std::uint64_t fetches() const { return fetches_; }

 private:
  struct Batch {
    std::int64_t tokens = 0;
    Time until{};
  };
  struct Entry {
    config::RateSpec rate;
    std::deque<Batch> batches;
    std::int64_t held = 0;       // sum of batches' tokens
    bool pending = false;        // a fetch is out
    Time denied_until{};
    std::int64_t wanted = 0;     // size of the last fetch
    std::int64_t granted = 0;    // tokens of the last batch that came
    std::int64_t taken = 0;      // spent since the last fetch was sent
    Time last_fetch{};
    std::vector<std::function<void()>> waiters;
  };

  void drop_expired(Entry& e, Time now) const;
  void fetch(const std::string& key, Entry& e, Time now);
  void apply(Entry& e, const TokenBatch& batch);
  void arrived(const std::string& key, const TokenBatch& batch);
  std::int64_t next_size(const Entry& e, Time now) const;

  ClusterLimits& backend_;
  Post post_;
  std::shared_ptr<ClusterTokenCache*> self_;  // answers hold it weakly: none reaches a dead cache
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t fetches_ = 0;
};

}  // namespace impulse::routing
