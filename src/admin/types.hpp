// The admin layer's result types (SPEC §7 console, §16 HTTP API): plain
// values that the console prints as Momentum's text and the HTTP API will
// serve as JSON. No formatting here; times are Unix seconds, counts are
// recipients or messages as each field says. The domain report reuses the
// connection manager's delivery::DomainDescription (records, hosts,
// connections) with its `queues` filled from the scheduler.
// Plain values; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "queue/domain_queue.hpp"  // MessageAction
#include "queue/queue_counters.hpp"

namespace impulse::admin {

using queue::EntryState;
using queue::MessageAction;  // kDone, kInFlight (being delivered), kNotFound

// `summary`: the daemon's counters (console labels in comments).
struct Summary {
  std::uint64_t outbound_concurrency = 0;  // Outbound Concurrency: open outbound connections
  std::uint64_t inbound_concurrency = 0;   // Inbound Concurrency: open inbound sessions
  std::uint64_t active = 0;                // Active Queue Size (waiting + in flight)
  std::uint64_t in_flight = 0;             // part of active
  std::uint64_t delayed = 0;               // Delayed Queue Size
  std::uint64_t delivered = 0;             // Successfully Delivered Messages
  std::uint64_t failed = 0;                // Failed Messages
  std::uint64_t transient_failures = 0;    // Transient Failures
  std::uint64_t received = 0;              // Received Messages
  std::chrono::seconds uptime{0};          // Uptime
  // Cluster: connected | degraded (SPEC §18); unset without a Cluster stanza.
  std::optional<bool> cluster_connected;
  // The spool's memory now (spool::StoreStats; /metrics only, not the console).
  std::uint64_t spool_memtable_bytes = 0;
  std::uint64_t spool_block_cache_bytes = 0;
  std::uint64_t total() const { return active + delayed; }  // Total Queue Size
};

// One (binding, domain) queue (mailq, GET /api/v1/queues).
struct QueueLine {
  std::string binding_group;  // empty = none ("default" in mailq)
  std::string binding;
  std::string domain;
  std::uint64_t active = 0;  // waiting + in flight
  std::uint64_t in_flight = 0;
  std::uint64_t delayed = 0;
  std::uint64_t received = 0;   // entries ever added
  std::uint64_t delivered = 0;  // recipients
  std::uint64_t failed = 0;     // recipients
  bool suspended = false;
  std::optional<std::int64_t> held_until;  // a route verdict in force: no hand-outs until (Unix seconds)
  std::string held_reason;                 // why, as the agent said
  std::uint64_t total() const { return active + delayed; }
};

// Which queues a listing shows: empty lists = every domain / binding.
struct QueueQuery {
  std::vector<std::string> domains;   // compared lower-case
  std::vector<std::string> bindings;
  bool non_empty_only = false;        // drop queues with nothing queued
  std::optional<std::size_t> limit;   // after sorting
};

// `binding summary`: one binding's queues added up.
struct BindingTotals {
  std::string binding;
  std::uint64_t active = 0;
  std::uint64_t delayed = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::uint64_t received = 0;
  std::int64_t open_connections = 0;  // the connection manager's, 0 without one
  std::uint64_t total() const { return active + delayed; }
};

// One queued message in one queue (showqueue, message details).
struct MessageInfo {
  std::string id;
  std::string binding;
  std::string domain;
  EntryState state = EntryState::kActive;
  std::int64_t created = 0;       // Unix seconds
  std::int64_t next_attempt = 0;  // Unix seconds when delayed, else 0
  std::uint32_t retries = 0;
  std::uint64_t size = 0;
  std::string sender;
  std::vector<std::string> recipients;
  std::string origin_id;  // message details: the sending node's id (ECSTREAM), "" = none
};

// `showqueue`: one binding's queue for a domain, or every binding's.
struct ShowQueueQuery {
  std::optional<std::string> binding;  // nullopt = every binding holding the domain
  std::string domain;
  std::size_t limit = 100;
  std::size_t offset = 0;
};

// Which queues a flush acts on: nullopt = every binding / every domain.
struct QueueSelector {
  std::optional<std::string> binding;
  std::optional<std::string> domain;
};

// `config reload`: ok, or every error ("FILE:LINE:COL: error: TEXT").
struct ReloadOutcome {
  bool ok = false;
  std::vector<std::string> errors;
};

// `config eval`: the value an option takes at a scope path.
struct EvalResult {
  std::string option;
  config::OptionValue value;
  config::ScopeId owner;  // the scope that set it; "default" if built-in
};

}  // namespace impulse::admin
