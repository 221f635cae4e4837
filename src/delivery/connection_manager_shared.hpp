// What every DeliveryLoop of one ConnectionManager shares (SPEC §3
// "Limits", rule 3; reference/momentum.md §2.6, §5):
//   - open outbound connections: in total (Server_Max_Outbound_Connections,
//     console `summary` "Outbound Concurrency"), per binding (`binding
//     summary`), and per (binding, target host) (`Host` scope
//     max_outbound_connections counts every queue of the binding; console
//     `domain NAME` per-host counts);
//   - the address quarantine (routing::HostHealth), one per binding (host
//     up/down state is per binding);
//   - the throttle buckets (routing::ThrottleRegistry: one bucket per owner
//     scope, shared by reference);
//   - connection ids for the logs.
//
// Leaves to others: the per-(binding, domain) counts and every decision
// (DeliveryLoop, on the queue's loop).
// Threading: every member is thread-safe. The total is one atomic (read on
// every choice); per-binding and per-host counts take one short lock per
// connection opened or closed (never per message).
// Failure modes: none; acquire_server() refuses past the limit.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "routing/host_health.hpp"
#include "routing/throttle.hpp"

namespace impulse::delivery {

class ConnectionManagerShared {
 public:
  explicit ConnectionManagerShared(const Clock& clock) : throttles_(clock) {}

  // One more connection in total unless `server_max` (>= 0) is reached.
  bool acquire_server(std::int64_t server_max);
  void release_server() { total_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t total() const { return total_.load(std::memory_order_relaxed); }

  // Per binding and per (binding, host) counts of open connections.
  void add_host(std::string_view binding, std::string_view host, std::int64_t delta);
  std::int64_t host_open(std::string_view binding, std::string_view host) const;
  // To `host` from every binding (console `domain NAME`).
  std::int64_t host_open_all(std::string_view host) const;
  std::int64_t binding_open(std::string_view binding) const;

  // The address quarantine of `binding` (created on first use; stable).
  routing::HostHealth& host_health(const std::string& binding);
  // Forgets address failures older than `horizon` in every binding.
  std::size_t purge_host_health(SteadyTime now, std::chrono::seconds horizon);
  routing::ThrottleRegistry& throttles() { return throttles_; }

  // "17", "18", ...: connection ids for mainlog/bouncelog connid fields.
  std::uint64_t next_connection_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // Set when a queue could not open a connection because of the server or a
  // host limit; the next release posts a re-check to every loop.
  void mark_starved() { starved_.store(true, std::memory_order_release); }
  bool take_starved() { return starved_.exchange(false, std::memory_order_acq_rel); }
  // Some queue waits for a slot: an idle connection should close rather than idle.
  bool starved() const { return starved_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::int64_t> total_{0};
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<bool> starved_{false};
  mutable std::mutex mutex_;
  struct BindingCounts {
    std::int64_t open = 0;
    std::map<std::string, std::int64_t, std::less<>> by_host;
  };
  std::map<std::string, BindingCounts, std::less<>> by_binding_;
  std::map<std::string, std::unique_ptr<routing::HostHealth>, std::less<>> health_;
  routing::ThrottleRegistry throttles_;
};

}  // namespace impulse::delivery
