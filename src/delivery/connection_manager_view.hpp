// What the console's `domain NAME` shows of the connection manager (SPEC §7;
// reference/momentum.md §8.2 `domain`): for each binding that has a domain
// record for NAME, the record (hosts with preference, name, port, TTL,
// addresses and their quarantine state), its remaining TTL or routing
// failure, the domain's consecutive connection failures and its open
// connections; per host, this queue's connections and every queue's
// connections to it (queue-independent). The console prints it
// (console/domain_format.hpp) in Momentum's text shape:
//
//   Domain 'example.com' has 2 MXs and a TTL of 300 seconds
//   [10 mx1.example.com TTL:300]
//   	[192.0.2.1] IPv4 (1 open, 3 to host)
//   	* [192.0.2.2] IPv4 12s since failure
//   [0 /run/dovecot/lmtp TTL:300]          (a Gateway/route "unix:/path")
//   	[/run/dovecot/lmtp] Unix (0 open, 0 to host)
//   Domain has had 0 consecutive connection failures
//   Queue: Active: 2 Delayed: 5
//   Deliveries: 120
//   Failures: 3
//   Active Connections: 1
//   	[1] ID: 17 IP: 192.0.2.1 State: delivering
//
// Queue sizes, deliveries and failures come from the scheduler: the admin
// layer fills DomainDescription::queues (the connection manager leaves it empty).
// A queue whose binding has no record is shown after "has no domain record".
// Plain values; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace impulse::delivery {

struct AddressView {
  std::string address;                           // "192.0.2.1", "::1", or a socket path
  bool ipv6 = false;
  bool unix_socket = false;                      // address is a Unix socket path
  bool quarantined = false;                      // Host_Failure_Retry running
  std::optional<std::int64_t> since_failure_s;   // seconds since its last failure, if it failed
  std::int64_t open_connections = 0;             // this queue's, to this address
};

struct HostView {
  std::uint32_t preference = 0;
  std::string name;
  std::uint16_t port = 25;
  std::uint32_t ttl = 0;
  std::vector<AddressView> addresses;
  std::int64_t queue_connections = 0;  // this (binding, domain) queue's open connections to the host
  std::int64_t host_connections = 0;   // every queue's, every binding's
};

struct ConnectionView {
  std::string id;       // the logs' connid
  std::string address;  // peer address
  std::string host;
  std::string state;    // "connecting", "delivering", "idle", "closing"
  std::size_t in_flight = 0;  // deliveries running on it (HTTP/2: streams in flight)
  std::size_t capacity = 1;   // how many may run at once (HTTP/2: the server's concurrent streams)
};

struct RecordView {
  std::string binding;
  std::uint32_t ttl = 0;
  std::uint32_t remaining_ttl = 0;
  std::optional<std::string> failure;  // the routing failure text, when the record failed
  bool failure_permanent = false;
  std::vector<HostView> hosts;
  std::uint32_t consecutive_failures = 0;
  std::int64_t active_connections = 0;
  std::vector<ConnectionView> connections;
};

// One (binding, domain) queue as the scheduler counts it.
struct QueueView {
  std::string binding;
  std::uint64_t active = 0;      // waiting + in flight
  std::uint64_t delayed = 0;
  std::uint64_t deliveries = 0;  // recipients delivered, for the life of the queue
  std::uint64_t failures = 0;    // recipients failed permanently
  // A route verdict in force (queue::DomainQueue::hold): until when (Unix
  // seconds) and why; unset when the queue is not held.
  std::optional<std::int64_t> held_until = std::nullopt;
  std::string held_reason = {};
};

struct DomainDescription {
  std::string domain;
  std::vector<RecordView> records;  // "default" first, then by binding name
  std::vector<QueueView> queues;    // the domain's queues, any binding (filled by admin)
};

}  // namespace impulse::delivery
