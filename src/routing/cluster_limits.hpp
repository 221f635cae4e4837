// ClusterLimits: the seam between the connection manager and limits shared
// by a fleet of nodes (SPEC §18; reference/momentum.md §5 cluster_*):
// Cluster_Max_Outbound_Connections as connection leases,
// Cluster_Outbound_Throttle_Messages / _Connections as shared rates. The
// Redis implementation is src/cluster/redis_limits.hpp; without a
// `Cluster { }` stanza the connection manager has none (nullptr) and
// NullClusterLimits grants everything.
//
// Contract (cost): every call is non-blocking and cheap: it answers from
// what this node already holds (leases, a small batch of tokens) and, when
// that is not enough, asks the backend in the background and answers
// kWait; `wake` then runs once, on the backend's thread, when asking again
// may succeed (post it to your own executor). kDenied carries when to ask
// again. Thread-safe: any delivery loop may call it.
// Hot path: a delivery loop does not call take_token per message; its
// ClusterTokenCache (routing/cluster_token_cache.hpp) holds batches from
// fetch_tokens and spends them without a lock or a call into the backend.
// Leaves to others: which key a limit uses and when to ask (delivery loop),
// the node-local limits (routing/throttle.hpp, ConnectionPolicy).
// Failure modes: the backend's failures are its own (degraded mode,
// Cluster_Redis_Failure); callers only see grants, waits and denials.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace impulse::routing {

enum class ClusterVerdict { kGranted, kWait, kDenied };

struct ClusterAnswer {
  ClusterVerdict verdict = ClusterVerdict::kGranted;
  std::uint64_t lease = 0;  // kGranted connection: give it back to release_connection
  std::chrono::steady_clock::time_point retry_at{};  // kDenied: ask again then
};

// A batch of tokens of one shared rate, spent by whoever asked for it.
struct TokenBatch {
  std::int64_t tokens = 0;                             // granted (0: none now)
  std::chrono::steady_clock::time_point until{};       // spend them before this (they stand for that time)
  std::chrono::steady_clock::time_point retry_at{};    // tokens == 0: ask again then
};

class ClusterLimits {
 public:
  virtual ~ClusterLimits() = default;

  // One connection slot under `limit` (> 0) shared by every node using `key`.
  virtual ClusterAnswer acquire_connection(const std::string& key, std::int64_t limit, std::function<void()> wake) = 0;
  // The connection granted `lease` for `key` has closed.
  virtual void release_connection(const std::string& key, std::uint64_t lease) = 0;
  // One token of the shared rate `rate` (count > 0) of `key`.
  virtual ClusterAnswer take_token(const std::string& key, const config::RateSpec& rate, std::function<void()> wake) = 0;
  // Up to `wanted` tokens of `key` at once (the backend may grant fewer,
  // at most its node's share of a tenth of a second). An immediate answer
  // (degraded mode, no backend) is returned and `done` is dropped; nullopt:
  // asked, and `done` runs once with the answer on the backend's thread
  // (post it to your own executor).
  virtual std::optional<TokenBatch> fetch_tokens(const std::string& key, const config::RateSpec& rate,
                                                 std::int64_t wanted, std::function<void(TokenBatch)> done) = 0;
  // Redis reachable (the console's `Cluster: connected`, /metrics).
  virtual bool connected() const = 0;
};

class NullClusterLimits final : public ClusterLimits {
 public:
  ClusterAnswer acquire_connection(const std::string&, std::int64_t, std::function<void()>) override { return {}; }
  void release_connection(const std::string&, std::uint64_t) override {}
  ClusterAnswer take_token(const std::string&, const config::RateSpec&, std::function<void()>) override { return {}; }
  std::optional<TokenBatch> fetch_tokens(const std::string&, const config::RateSpec&, std::int64_t wanted,
                                         std::function<void(TokenBatch)>) override {
    return TokenBatch{wanted, std::chrono::steady_clock::time_point::max(), {}};
  }
  bool connected() const override { return true; }
};

}  // namespace impulse::routing
