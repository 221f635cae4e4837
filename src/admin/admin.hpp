// Admin: the typed queries and actions behind the console (SPEC §7) and the
// HTTP API (SPEC §16): summary, queue listings, showqueue, message details,
// the domain report, flush / fail / refresh a domain, retry / fail a
// message, config reload and eval, reopen logs, shutdown, version. It reads
// the Scheduler, the connection manager (through DomainConnections, which
// may be absent) and reaches the daemon through DaemonActions, a struct of
// callables, so admin depends on no app. It formats nothing: the console
// (console/) prints its results as text, the HTTP API will print JSON.
//
// Threading: every member is thread-safe. Asynchronous results arrive by
// callback, exactly once, on a scheduler or connection-manager loop thread
// (as those objects give them); synchronous ones run on the caller's thread.
// Failures: expected ones are values (a refused reload lists its errors, a
// bad eval path is error text, a message being delivered is kInFlight).
// Lifetime: the Scheduler and DomainConnections must outlive the Admin and
// every callback still pending.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/domain_connections.hpp"
#include "admin/types.hpp"
#include "base/error.hpp"
#include "base/expected.hpp"
#include "spool/message_id.hpp"

namespace impulse::spool {
class Store;
}

namespace impulse::queue {
class Scheduler;
}

namespace impulse::admin {

// The daemon-level actions, provided by the app (apps/impulsed). A missing
// callable makes its action fail with a one-line error (or do nothing, for
// shutdown).
struct DaemonActions {
  std::function<ReloadOutcome(const std::string& path)> reload;  // "" = the file it started with
  std::function<void()> shutdown;                                // begins a graceful stop
  std::function<Result<void>()> reopen_logs;
  std::function<config::ConfigPtr()> config;                     // the live snapshot
  std::string version;                                           // "impulsed (Impulse) X.Y.Z"
};

struct AdminDeps {
  queue::Scheduler& scheduler;
  std::shared_ptr<DomainConnections> connections;       // may be null: no records, 0 connections
  std::function<std::uint64_t()> inbound_concurrency;   // open inbound sessions; may be empty
  DaemonActions daemon;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // What only the spool keeps (message details' origin id), and its memory
  // for /metrics; may be null.
  const spool::Store* store = nullptr;
  // Redis reachable, for `summary` and /metrics (SPEC §18); empty = no Cluster stanza.
  std::function<bool()> cluster_connected = {};
};

class Admin {
 public:
  explicit Admin(AdminDeps deps);

  // ---- queries ----
  Summary summary() const;
  // Queues matching the query, sorted by total queued (largest first), then key.
  void queues(QueueQuery query, std::function<void(std::vector<QueueLine>)> done) const;
  // Per binding, sorted by name: only `binding` when given (zeros if it has no
  // queue), else every binding with a queue ("default" alone when none has).
  void binding_summary(std::optional<std::string> binding,
                       std::function<void(std::vector<BindingTotals>)> done) const;
  // Messages of one queue, or of every binding's queue for the domain (in key order).
  void show_queue(ShowQueueQuery query, std::function<void(std::vector<MessageInfo>)> done) const;
  // Every queue holding part of the message (empty if it is not queued).
  void message_details(spool::MessageId id, std::function<void(std::vector<MessageInfo>)> done) const;
  // The connection manager's records for the domain plus the scheduler's
  // queue lines per binding ("default" first, then by binding name).
  void domain(std::string name, std::function<void(delivery::DomainDescription)> done) const;

  // ---- actions ----
  // Delayed -> active for the selected queues; done(messages moved).
  void flush(QueueSelector selector, std::function<void(std::size_t)> done);
  // Fails every message of the domain's queues (one binding's when given);
  // done(messages failed). `quiet` = no bounces.
  void fail_domain(std::optional<std::string> binding, std::string domain, bool quiet,
                   std::function<void(std::size_t)> done);
  // Rebuilds the domain's records ("all" = every domain); done(builds started), 0 without a connection manager.
  void refresh_domain(std::string name, std::function<void(std::size_t)> done);
  void retry_message(spool::MessageId id, std::function<void(MessageAction)> done);
  void fail_message(spool::MessageId id, bool quiet, std::function<void(MessageAction)> done);

  // ---- daemon ----
  ReloadOutcome reload(const std::string& path = {});
  // `scope_path` is SCOPE NAME pairs ({"binding","b1","domain","x.com"}).
  impulse::expected<EvalResult, std::string> eval(const std::vector<std::string>& scope_path,
                                                  const std::string& option) const;
  Result<void> reopen_logs();
  void shutdown();
  const std::string& version() const { return deps_.daemon.version; }
  long pid() const;

 private:
  AdminDeps deps_;
};

}  // namespace impulse::admin
