// Implementation of console/domain_format.hpp.
#include "console/domain_format.hpp"

#include <fmt/format.h>

namespace impulse::console {

namespace {

using delivery::DomainDescription;
using delivery::HostView;
using delivery::QueueView;
using delivery::RecordView;

void append_queue(std::string& out, const QueueView* q) {
  if (!q) return;
  out += fmt::format("Queue: Active: {} Delayed: {}\n", q->active, q->delayed);
  out += fmt::format("Deliveries: {}\n", q->deliveries);
  out += fmt::format("Failures: {}\n", q->failures);
  if (q->held_until) out += fmt::format("Queue held until {}: {}\n", *q->held_until, q->held_reason);
}

void append_host(std::string& out, const HostView& h) {
  out += fmt::format("[{} {} TTL:{}]\n", h.preference, h.name, h.ttl);
  for (const auto& a : h.addresses) {
    out += '\t';
    if (a.quarantined) out += "* ";
    out += fmt::format("[{}] {} ({} open, {} to host)", a.address, a.unix_socket ? "Unix" : a.ipv6 ? "IPv6" : "IPv4",
                       a.open_connections, h.host_connections);
    if (a.since_failure_s) out += fmt::format(" {}s since failure", *a.since_failure_s);
    out += '\n';
  }
}

void append_record(std::string& out, const DomainDescription& d, const RecordView& r, const QueueView* q,
                   bool name_binding) {
  if (name_binding) out += fmt::format("Binding: {}\n", r.binding);
  out += fmt::format("Domain '{}' has {} MXs and a TTL of {} seconds\n", d.domain, r.hosts.size(), r.remaining_ttl);
  if (r.failure) out += fmt::format("Routing failure: {}\n", *r.failure);
  for (const auto& h : r.hosts) append_host(out, h);
  out += fmt::format("Domain has had {} consecutive connection failures\n", r.consecutive_failures);
  append_queue(out, q);
  out += fmt::format("Active Connections: {}\n", r.active_connections);
  std::size_t i = 0;
  for (const auto& c : r.connections) {
    out += fmt::format("\t[{}] ID: {} IP: {} State: {}", i++, c.id, c.address, c.state);
    // A connection carrying several deliveries at once (HTTP/2 streams).
    if (c.capacity > 1) out += fmt::format(" Streams: {}/{}", c.in_flight, c.capacity);
    out += '\n';
  }
}

}  // namespace

std::string format_domain_description(const DomainDescription& d) {
  std::string out;
  auto queue_of = [&d](const std::string& binding) -> const QueueView* {
    for (const auto& q : d.queues)
      if (q.binding == binding) return &q;
    return nullptr;
  };
  std::vector<const QueueView*> without_record;
  for (const auto& q : d.queues) {
    bool has_record = false;
    for (const auto& r : d.records) has_record = has_record || r.binding == q.binding;
    if (!has_record) without_record.push_back(&q);
  }
  const std::size_t blocks = d.records.size() + without_record.size();
  if (blocks == 0) return fmt::format("Domain '{}' has no domain record\n", d.domain);
  for (const auto& r : d.records) append_record(out, d, r, queue_of(r.binding), blocks > 1 || r.binding != "default");
  for (const QueueView* q : without_record) {
    if (blocks > 1 || q->binding != "default") out += fmt::format("Binding: {}\n", q->binding);
    out += fmt::format("Domain '{}' has no domain record\n", d.domain);
    append_queue(out, q);
  }
  return out;
}

}  // namespace impulse::console
