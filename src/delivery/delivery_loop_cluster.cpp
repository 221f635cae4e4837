// DeliveryLoop, part 4: the Cluster_* limits (SPEC §18) through the
// routing::ClusterLimits seam (deps.manager.cluster; null = no cluster).
// Which key a limit uses: the whole cluster for a value set at global
// scope, the binding and domain for one set at binding_group, binding or
// domain scope, so every node delivering the same (binding, domain) shares
// it; Cluster_Max_Outbound_Connections set at `Host` scope (the
// binding_group::binding::host chain) counts under the host name, so every
// node connecting to that host shares it whatever the domain. Each is a
// lease per session (a session may hold both), taken before the session
// opens and released when it ends (connection_ended);
// Cluster_Outbound_Throttle_Connections a token per session opened;
// Cluster_Outbound_Throttle_Messages a token per message taken, the first
// on a new session included, both from this loop's ClusterTokenCache
// (batches refilled ahead of need; no lock per token). A kWait answer
// leaves the pump: the backend's wake (a lease) or the cache's refill (a
// token) pumps the queue on this loop; a kDenied arms its throttle timer.
// The node-local limits are decided beside these, unchanged.
// Executor: io(), like the rest of DeliveryLoop. Failure modes: none here
// (the backend decides what a Redis failure means).
#include <boost/asio/post.hpp>

#include "delivery/delivery_loop.hpp"

namespace impulse::delivery {

namespace asio = boost::asio;

namespace {

std::string cluster_key(const config::Resolved& resolved, const queue::QueueKey& key, std::string_view kind) {
  if (resolved.owner == "global" || resolved.owner == "default") return std::string(kind) + ":global";
  return std::string(kind) + ":" + key.binding + "/" + key.domain;
}

}  // namespace

void DeliveryLoop::read_cluster_limits(QueueState& st, const config::Config& config) {
  st.cluster_connection_key.clear();
  st.cluster_message_key.clear();
  st.cluster_open_key.clear();
  if (!deps_.manager.cluster) return;
  const config::OutboundKey key{st.key.binding, st.key.domain};
  const auto max = config.resolve(key, "cluster_max_outbound_connections");
  st.cluster_connection_limit = max.value->as_int();
  if (st.cluster_connection_limit >= 0) st.cluster_connection_key = cluster_key(max, st.key, "conn");
  const auto messages = config.resolve(key, "cluster_outbound_throttle_messages");
  st.cluster_message_rate = messages.value->as_rate();
  if (st.cluster_message_rate.count > 0) st.cluster_message_key = cluster_key(messages, st.key, "msg");
  const auto opens = config.resolve(key, "cluster_outbound_throttle_connections");
  st.cluster_open_rate = opens.value->as_rate();
  if (st.cluster_open_rate.count > 0) st.cluster_open_key = cluster_key(opens, st.key, "open");
}

std::function<void()> DeliveryLoop::cluster_wake(const StatePtr& st) {
  std::weak_ptr<QueueState> weak = st;
  std::weak_ptr<bool> alive = alive_;
  return [this, weak, alive] {
    // On the backend's thread: hop to this loop before touching anything.
    asio::post(io_, [this, weak, alive] {
      if (alive.expired() || stopping_) return;
      if (StatePtr s = weak.lock()) pump(s);
    });
  };
}

bool DeliveryLoop::cluster_admits_connection(const StatePtr& sp, const std::string& host,
                                             std::vector<ClusterLease>& leases) {
  routing::ClusterLimits* cluster = deps_.manager.cluster;
  QueueState& st = *sp;
  if (!cluster) return true;
  auto lease_for = [&](const std::string& key, std::int64_t limit) {
    const auto answer = cluster->acquire_connection(key, limit, cluster_wake(sp));
    if (answer.verdict == routing::ClusterVerdict::kDenied) arm_throttle(sp, answer.retry_at);
    if (answer.verdict != routing::ClusterVerdict::kGranted) return false;
    leases.push_back(ClusterLease{key, answer.lease});
    return true;
  };
  auto refuse = [&] {
    release_cluster_leases(leases);
    leases.clear();
    return false;
  };
  if (!st.cluster_connection_key.empty() && !lease_for(st.cluster_connection_key, st.cluster_connection_limit))
    return refuse();
  if (st.config && !host.empty()) {
    const auto by_host = st.config->resolve_host(st.key.binding, host, "cluster_max_outbound_connections");
    if (by_host.value && !by_host.is_default() && by_host.value->as_int() >= 0 &&
        !lease_for("conn:host:" + host, by_host.value->as_int()))
      return refuse();
  }
  if (!st.cluster_open_key.empty()) {
    const auto answer = cluster_token(sp, st.cluster_open_key, st.cluster_open_rate);
    if (answer.verdict != routing::ClusterVerdict::kGranted) {
      if (answer.verdict == routing::ClusterVerdict::kDenied) arm_throttle(sp, answer.retry_at);
      return refuse();
    }
  }
  return true;
}

bool DeliveryLoop::cluster_message_token(const StatePtr& sp) {
  QueueState& st = *sp;
  if (!deps_.manager.cluster || st.cluster_message_key.empty()) return true;
  const auto answer = cluster_token(sp, st.cluster_message_key, st.cluster_message_rate);
  if (answer.verdict == routing::ClusterVerdict::kDenied) arm_throttle(sp, answer.retry_at);
  // Waiting for a batch is not a throttle: open sessions idle until the wake pumps them.
  st.cluster_token_pending = answer.verdict == routing::ClusterVerdict::kWait;
  return answer.verdict == routing::ClusterVerdict::kGranted;
}

routing::ClusterAnswer DeliveryLoop::cluster_token(const StatePtr& sp, const std::string& key,
                                                   const config::RateSpec& rate) {
  if (!cluster_tokens_) {
    std::weak_ptr<bool> alive = alive_;
    cluster_tokens_ = std::make_unique<routing::ClusterTokenCache>(
        *deps_.manager.cluster, [io = &io_, alive](std::function<void()> f) {
          // From the backend's thread: run it on this loop, while the loop lives.
          asio::post(*io, [alive, f = std::move(f)] {
            if (!alive.expired()) f();
          });
        });
  }
  const auto answer = cluster_tokens_->take(key, rate, std::chrono::steady_clock::now());
  if (answer.verdict == routing::ClusterVerdict::kWait) {
    // Already on this loop when the batch comes: pump directly.
    std::weak_ptr<QueueState> weak = sp;
    cluster_tokens_->on_refill(key, [this, weak] {
      if (stopping_) return;
      if (StatePtr s = weak.lock()) pump(s);
    });
  }
  return answer;
}

void DeliveryLoop::release_cluster_leases(const std::vector<ClusterLease>& leases) {
  if (!deps_.manager.cluster) return;
  for (const auto& l : leases) deps_.manager.cluster->release_connection(l.key, l.lease);
}

void DeliveryLoop::release_cluster_lease(ConnectionRecord& rec) {
  release_cluster_leases(rec.cluster_leases);
  rec.cluster_leases.clear();
}

}  // namespace impulse::delivery
