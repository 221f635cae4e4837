// ConnectionManager: the production queue::DeliveryAgent, one for every
// delivery method (SPEC §3 routing and connection choice, §4, §11;
// docs/architecture.md "Life of a message": domain record -> connection
// manager -> transport;
// reference/momentum.md §2.6, §4, §5). Each Delivery_Method is a transport
// (transport.hpp) registered in ConnectionManagerDeps::transports
// (default_transports.hpp: ESMTP, SMTP, LMTP). One DeliveryLoop per event loop
// (delivery_loop.hpp): the loop that owns a (binding, domain) queue owns
// its connections, its domain record (per-loop DomainRecordCache and
// resolver) and its counters, so nothing per message takes a lock. What the
// loops share - the total and per-host connection counts, the per-binding
// address quarantine, the throttle buckets - is in
// connection_manager_shared.hpp.
//
// Wiring (impulsed: apps/impulsed/mta_component.cpp):
//   auto cm = delivery::ConnectionManager::create({
//       .loops = loops.all(), .clock = clock, .config = [&live] { return live.current(); },
//       .resolver = delivery::unbound_resolver_factory(*cfg),
//       .problem = [&log](std::string_view t) { log.problem(t); }});
//   Scheduler scheduler({..., .agent = **cm, ...});
//   (*cm)->start();                    // dns_expire_interval timers
//   ...
//   (*cm)->stop([] { ... });           // before Scheduler::stop(); done on a loop thread
//
// Console hooks (thread-safe; callbacks run on a loop thread, once):
//   open_connections()            summary "Outbound Concurrency"
//   open_connections(binding)     binding summary "Open Connections"
//   refresh_domain(NAME|"all")    `refresh domain`: rebuilds on every loop
//   describe_domain(NAME)         `domain NAME` (connection_manager_view.hpp)
//
// Leaves to others: queueing, retries and logs (queue), each method's
// protocol (its transport: delivery/smtp for ESMTP/SMTP/LMTP). A queue whose
// Delivery_Method has no transport gets a transient
// "451 4.3.5 [internal] delivery method not available" and a paniclog line.
// Threading: on_ready() runs on the queue's loop (Scheduler contract); the
// rest may be called from any thread. create() and the destructor run
// before the loops run / after stop() has completed (or the loops are no
// longer run). Failure modes: create() fails when a loop's resolver cannot
// be made (bad Nameservers entry, unreadable resolv.conf); afterwards every
// failure is a delivery outcome or a paniclog line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "delivery/connection_manager_deps.hpp"
#include "delivery/connection_manager_view.hpp"
#include "queue/delivery_agent.hpp"

namespace impulse::delivery {

class ConnectionManagerShared;
class DeliveryLoop;

class ConnectionManager final : public queue::DeliveryAgent {
 public:
  static Result<std::unique_ptr<ConnectionManager>> create(ConnectionManagerDeps deps);
  ~ConnectionManager() override;
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  // queue::DeliveryAgent: on the queue's loop.
  void on_ready(const std::shared_ptr<queue::DomainQueue>& queue) override;

  // Arms each loop's dns_expire_interval timer (posted to the loops).
  void start();
  // No new connections; idle ones QUIT, busy ones finish their message and
  // QUIT. `done` runs once, on a loop thread, when no connection is left.
  // Messages taken but not yet handed to a connection stay in flight
  // (the spool keeps them; recovery queues them at the next start).
  void stop(std::function<void()> done);

  std::int64_t open_connections() const;
  std::int64_t open_connections(std::string_view binding) const;

  // `refresh domain NAME|all` ("all", any case, = every domain): drops and
  // rebuilds the records on every loop; `done(builds started)`.
  void refresh_domain(std::string domain, std::function<void(std::size_t)> done = {});
  // `domain NAME`: records of every binding, gathered from every loop.
  void describe_domain(std::string domain, std::function<void(DomainDescription)> done);
  // Runs DomainRecordCache::evict_expired() on every loop now (the timer's job).
  void expire_now(std::function<void()> done = {});

 private:
  explicit ConnectionManager(ConnectionManagerDeps deps);
  void starved_released();

  ConnectionManagerDeps deps_;
  TransportRegistry transports_;
  std::unique_ptr<ConnectionManagerShared> shared_;
  std::vector<std::unique_ptr<DeliveryLoop>> loops_;
  std::unordered_map<const void*, DeliveryLoop*> by_io_;  // io_context* -> its loop
};

}  // namespace impulse::delivery
