// DeliveryLoop: the connection manager's work on one event loop (SPEC §3
// "Choosing where the next connection goes", "Limits"; §4; §11 route
// verdicts; docs/architecture.md "Life of a message", "Ownership", "Route
// verdicts"; reference/momentum.md
// §2.6, §5). It serves the (binding, domain) queues the Scheduler pinned to
// this loop, for every delivery method alike:
//
//   on_ready(queue) -> pump(queue):
//     1. the queue's transport (by Delivery_Method) and its settings, read
//        once per snapshot; no transport or bad settings: every message
//        fails transiently (451 4.3.5) and a paniclog line says why;
//     2. the domain record from this loop's DomainRecordCache (built with
//        this loop's resolver and route_inputs_from_config at build time);
//        a failed record completes every message with its outcome;
//     3. idle sessions of the queue are woken to take the new work;
//     4. routing::MxChooser decides, over and over, whether and where to
//        open one more session: wanted_connections(work,
//        max_outbound_connections, aggressiveness), Server_Max_Outbound_
//        Connections (shared counter), `Host` limits (shared per-binding
//        counts), quarantined addresses (Host_Failure_Retry, and host
//        verdicts), the Outbound_Throttle_Connections bucket, DomainHealth
//        (Mx_Failures_To_Delay / Connect_Timeout_To_Delay);
//     5. each new session takes its first messages at once, then runs as a
//        supervised coroutine (delivery_loop_connection.cpp): open, deliver
//        up to the session's capacity at once, complete(), take more, idle
//        up to the method's idle deadline, close.
//   A session that fails to open quarantines the address, counts a failure
//   for the host, and hands its messages back ("orphans") for the next
//   address or MX. No usable host with no session left: every message gets
//   the transient 421 4.4.0 text (SPEC §3 rule 4). Dead domain
//   (DelayDomain, rule 5): a route verdict, not a failure per message: the
//   orphans go back to the queue untried and the queue is held with its
//   active queue moved to the delayed queue (queue::Hold, one paniclog
//   line). A completion's verdict on a host quarantines that host here; a
//   verdict on the queue is applied by the queue.
//
// Outbound_Throttle_Messages: a message token per message taken; while the
// bucket is empty no session is opened, an open one closes instead of
// idling (Momentum: "message not sent, QUIT, queue stays active"), and the
// queue is looked at again when the next token is due.
//
// Leaves to others: each method's protocol and outcome mapping (its
// Transport, delivery/transport.hpp), retry timing and bounces (queue),
// choosing which loop owns a queue (Scheduler), fan-out and console
// (ConnectionManager).
// Executor: every member runs on io(), except the constructor and destructor
// (before the loop runs / after stop()). Failure modes: none returned;
// exceptions from a session coroutine are caught by its supervisor, logged
// with the coroutine's name, and its messages completed transiently.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "delivery/connection_manager_deps.hpp"
#include "delivery/connection_manager_shared.hpp"
#include "delivery/connection_manager_view.hpp"
#include "delivery/delivery_loop_queue_state.hpp"
#include "delivery/transport.hpp"
#include "dns/resolver.hpp"
#include "queue/queue_key.hpp"
#include "routing/cluster_token_cache.hpp"
#include "routing/domain_record_builder.hpp"
#include "routing/domain_record_cache.hpp"
#include "routing/mx_chooser.hpp"
#include "routing/random_source.hpp"

namespace impulse::delivery {

struct DeliveryLoopDeps {
  const ConnectionManagerDeps& manager;  // clock, config, problem, take_batch
  const TransportRegistry& transports;   // one Transport per method is made for this loop
  ConnectionManagerShared& shared;
  std::function<void()> starved_released;  // a connection closed while some queue was starved
  std::uint64_t seed = 0;
  bool purge_host_health = false;  // this loop's expiry sweep also forgets old address failures
};

class DeliveryLoop {
 public:
  DeliveryLoop(boost::asio::io_context& io, DeliveryLoopDeps deps, std::unique_ptr<dns::Resolver> resolver);
  ~DeliveryLoop();
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  boost::asio::io_context& io() { return io_; }

  // ---- on io() ----
  void on_ready(const std::shared_ptr<queue::DomainQueue>& queue);
  // Arms the dns_expire_interval timer (DomainRecordCache::evict_expired,
  // and forgetting idle queue states).
  void start();
  // No new connections; idle ones QUIT; `done` once none is left.
  void stop(std::function<void()> done);
  // `refresh domain NAME|all`: rebuild the records now; returns builds started.
  std::size_t refresh(std::string_view domain);
  // `domain NAME`: one RecordView per binding with a record for `domain` on this loop.
  std::vector<RecordView> describe(std::string_view domain) const;
  // Re-examine queues that stopped at the server or a host limit.
  void pump_starved();
  // One expiry sweep now (what the timer does).
  void expire_now();

  // This loop's open connections (any thread may read it).
  std::int64_t open_connections() const { return open_.load(std::memory_order_relaxed); }

 private:
  using StatePtr = std::shared_ptr<QueueState>;
  using RecordPtr = std::shared_ptr<ConnectionRecord>;

  // Pumping (delivery_loop.cpp).
  StatePtr state_for(const queue::QueueKey& key);
  void pump(const StatePtr& st);
  void pump_once(const StatePtr& st);
  bool ensure_record(const StatePtr& st);
  void refresh_snapshot(QueueState& st);
  std::size_t wake_idle(QueueState& st, std::size_t work);
  void fill_host_totals(QueueState& st);
  bool start_connection(const StatePtr& st, routing::ConnectTarget target, std::vector<ClusterLease> leases = {});
  void fail_all(QueueState& st, const queue::Outcome& outcome);
  void delay_domain(QueueState& st);
  void arm_throttle(const StatePtr& st, SteadyTime at);
  void arm_expiry();
  Transport* transport_for(routing::DeliveryMethod method);
  void maybe_finish_stop();

  // Cluster_* limits through deps_.manager.cluster (delivery_loop_cluster.cpp).
  void read_cluster_limits(QueueState& st, const config::Config& config);
  // May a session to `host` open now? Its leases (queue key, Host-scope
  // key; none if not cluster-limited) in `leases`; false: not now (the pump
  // is woken or its throttle timer armed), nothing held.
  bool cluster_admits_connection(const StatePtr& st, const std::string& host, std::vector<ClusterLease>& leases);
  void release_cluster_leases(const std::vector<ClusterLease>& leases);
  // One Cluster_Outbound_Throttle_Messages token; false: not now (as above).
  bool cluster_message_token(const StatePtr& st);
  void release_cluster_lease(ConnectionRecord& rec);
  std::function<void()> cluster_wake(const StatePtr& st);
  // One token of a shared rate from this loop's cache (no lock, no backend
  // call per token); kWait registers a pump of `st` for when the batch comes.
  routing::ClusterAnswer cluster_token(const StatePtr& st, const std::string& key, const config::RateSpec& rate);

  // Connections (delivery_loop_connection.cpp).
  // Up to take_batch (and `limit`) jobs: orphans first, then the queue.
  std::vector<queue::DeliveryJob> take_jobs(const StatePtr& st, std::size_t limit);
  boost::asio::awaitable<void> run_connection(StatePtr st, RecordPtr rec);
  // Starts the record's waiting jobs, up to the session's capacity.
  boost::asio::awaitable<void> start_jobs(const StatePtr& st, const RecordPtr& rec);
  boost::asio::awaitable<void> wait_for_a_job(ConnectionRecord& rec);
  boost::asio::awaitable<void> deliver_job(StatePtr st, RecordPtr rec, queue::DeliveryJob job);
  void apply_host_verdict(QueueState& st, const ConnectionRecord& rec, const queue::Hold& hold);
  void apply_queue_verdict(QueueState& st, const queue::Hold& hold);
  void connection_opened(QueueState& st, ConnectionRecord& rec);
  void connection_failed(QueueState& st, ConnectionRecord& rec);
  void connection_ended(const StatePtr& st, const RecordPtr& rec, std::exception_ptr error);
  void orphan(QueueState& st, ConnectionRecord& rec);
  void complete(QueueState& st, queue::DeliveryJob job, queue::AttemptResult result);
  void problem(const std::string& text) const;
  // Host_Failure_Retry of a record's queue (its snapshot's, else the live one's).
  std::chrono::seconds host_failure_retry(const routing::RecordKey& key, const QueueState* st) const;

  boost::asio::io_context& io_;
  DeliveryLoopDeps deps_;
  const Clock& clock_;
  std::unique_ptr<dns::Resolver> resolver_;
  routing::SeededRandom random_;
  routing::DomainRecordBuilder builder_;
  routing::DomainRecordCache cache_;
  routing::MxChooser chooser_;
  std::unordered_map<queue::QueueKey, StatePtr, queue::QueueKeyHash> states_;
  std::vector<std::weak_ptr<QueueState>> starved_;
  // This loop's transports, made on first use from deps_.transports.
  std::map<routing::DeliveryMethod, std::unique_ptr<Transport>> transports_;
  boost::asio::steady_timer expiry_timer_;
  std::atomic<std::int64_t> open_{0};
  bool started_ = false;
  bool stopping_ = false;
  std::vector<std::function<void()>> stop_waiters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // This loop's tokens of the Cluster_* rates (delivery_loop_cluster.cpp), made on first use.
  std::unique_ptr<routing::ClusterTokenCache> cluster_tokens_;
};

}  // namespace impulse::delivery
