// What a DeliveryLoop keeps per (binding, domain) queue it serves: the
// queue, its domain record, its transport and the method's settings and
// limits read from the snapshot (re-read when the snapshot changes), its
// open sessions and their per-host counts, the domain's failure counts, and
// the jobs taken from the queue that are waiting for a session ("orphans":
// their session failed at the host level and they go to the next address or
// MX, SPEC §3 rule 3). Nothing here is specific to a delivery method.
//
// Owned by the queue's event loop (docs/architecture.md "Ownership"): only that loop's
// thread reads or writes it; connection coroutines hold a shared_ptr so the
// state outlives them. Internal to src/delivery (includes Asio).
// Failure modes: none (data).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "delivery/transport.hpp"
#include "queue/delivery_job.hpp"
#include "queue/domain_queue.hpp"
#include "routing/connection_policy.hpp"
#include "routing/domain_health.hpp"
#include "routing/domain_record.hpp"
#include "routing/host_health.hpp"
#include "routing/mx_chooser.hpp"
#include "routing/throttle.hpp"

namespace impulse::delivery {

// One open (or opening) session of a queue.
// One Cluster_Max_Outbound_Connections lease: the key it counts under.
struct ClusterLease {
  std::string key;
  std::uint64_t lease = 0;
};

struct ConnectionRecord {
  enum class State { kConnecting, kDelivering, kIdle, kClosing };
  explicit ConnectionRecord(boost::asio::any_io_executor executor) : signal(executor) {}

  std::string id;                    // connid for the logs
  routing::ConnectTarget target;
  std::string address_text;          // target.address_text()
  std::optional<routing::DeliveryMethod> method;  // the queue's when opened (for the metrics)
  std::deque<queue::DeliveryJob> jobs;  // taken, not yet started
  std::size_t running = 0;           // deliver() calls in progress (<= the session's capacity)
  std::shared_ptr<Session> session;  // set once open; shared with its running deliveries
  State state = State::kConnecting;
  bool retire = false;  // `refresh domain`: finish the running jobs, then close
  // Cluster_Max_Outbound_Connections leases held for this session (SPEC §18):
  // the queue's key and/or the host's (Host scope), released when it ends.
  std::vector<ClusterLease> cluster_leases;
  // A running delivery finished: the session's coroutine waits on this
  // timer (expiring never) and a finishing delivery cancels it.
  boost::asio::steady_timer signal;
  bool signalled = false;

  void wake_idle() {
    if (state == State::kIdle && session) session->wake();
  }
};

const char* connection_state_name(ConnectionRecord::State state);

struct QueueState {
  explicit QueueState(queue::QueueKey k) : key(std::move(k)) {}

  const queue::QueueKey key;
  std::shared_ptr<queue::DomainQueue> queue;  // set by on_ready

  // Domain record (from the loop's DomainRecordCache).
  std::shared_ptr<const routing::DomainRecord> record;
  bool lookup_pending = false;

  // Read from the snapshot `config`; re-read when the live snapshot changes.
  config::ConfigPtr config;
  routing::ConnectionPolicy policy;
  Transport* transport = nullptr;  // the loop's transport for the queue's Delivery_Method
  std::optional<routing::DeliveryMethod> method;  // that Delivery_Method (for the metrics)
  MethodSettingsPtr settings;      // null: settings_error says why (no transport, bad option)
  std::string settings_error;
  routing::HostLimitFn host_limit;
  std::shared_ptr<routing::TokenBucket> connection_throttle;  // null: unlimited
  std::shared_ptr<routing::TokenBucket> message_throttle;     // null: unlimited
  routing::HostHealth* host_health = nullptr;                 // the binding's (shared)
  // Cluster_* limits shared through Redis (SPEC §18; delivery_loop_cluster.cpp):
  // an empty key = not cluster-limited.
  std::string cluster_connection_key;  // Cluster_Max_Outbound_Connections
  std::int64_t cluster_connection_limit = -1;
  std::string cluster_message_key;     // Cluster_Outbound_Throttle_Messages
  config::RateSpec cluster_message_rate;
  bool cluster_token_pending = false;  // asked the backend for tokens: sessions idle, not close
  std::string cluster_open_key;        // Cluster_Outbound_Throttle_Connections
  config::RateSpec cluster_open_rate;

  routing::DomainHealth domain_health;
  routing::QueueLoad load;  // open_connections, open_by_host (this queue), filled per choice
  std::list<std::shared_ptr<ConnectionRecord>> connections;
  std::deque<queue::DeliveryJob> orphans;
  std::size_t held = 0;  // jobs held by connections (taken, not completed)
  // Why the last connection that failed to open failed (the banner's 421,
  // "STARTTLS required but not advertised", a certificate check...); reset
  // when a connection opens. When no host is left, the messages get it
  // rather than the generic "no MXs" text (SPEC §4: the remote reply or the
  // phase's [internal] text, with its stage).
  std::optional<queue::Outcome> open_failure;

  std::optional<boost::asio::steady_timer> throttle_timer;  // Outbound_Throttle_*: re-check at the next token
  bool throttle_armed = false;
  bool pumping = false;
  bool repump = false;
  bool starved = false;  // stopped at the server or a host limit

  // Messages in the queue and with us: what wanted_connections() is fed.
  std::size_t work() const { return held + orphans.size() + (queue ? queue->waiting() : 0); }
  std::size_t takeable() const { return orphans.size() + (queue ? queue->waiting() : 0); }
};

}  // namespace impulse::delivery
