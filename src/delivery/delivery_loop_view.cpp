// DeliveryLoop, part 3: what the console's `domain NAME` shows of this loop
// (connection_manager_view.hpp): per binding with a record for the domain,
// the record's hosts and addresses with their quarantine state and open
// sessions, the domain's failure count and the queue's sessions. Read-only;
// on the loop's thread.
#include <chrono>

#include "delivery/delivery_loop.hpp"
#include "routing/route_plan.hpp"
#include "routing/routing_inputs.hpp"

namespace impulse::delivery {

namespace {

// One address (or the Unix socket) of a host, with its quarantine state.
template <class Target>
AddressView address_view(const Target& target, const routing::HostHealth& health, SteadyTime now,
                         std::chrono::seconds retry) {
  AddressView av;
  av.quarantined = health.quarantined(target, now, retry);
  if (auto failed = health.failed_at(target))
    av.since_failure_s = std::chrono::duration_cast<std::chrono::seconds>(now - *failed).count();
  return av;
}

HostView host_view(const routing::RouteHost& host, const QueueState* st, const routing::HostHealth& health,
                   std::int64_t host_connections, SteadyTime now, std::chrono::seconds retry) {
  HostView hv;
  hv.preference = host.preference;
  hv.name = host.name;
  hv.port = host.port;
  hv.ttl = host.ttl;
  hv.queue_connections = st ? st->load.open_to(host.name) : 0;
  hv.host_connections = host_connections;
  auto sessions_to = [&](auto matches) {
    std::int64_t n = 0;
    if (st)
      for (const auto& rec : st->connections) n += rec->target.host == host.name && matches(rec->target);
    return n;
  };
  if (host.unix_socket()) {
    AddressView av = address_view(std::string_view(host.socket_path), health, now, retry);
    av.address = host.socket_path;
    av.unix_socket = true;
    av.open_connections =
        sessions_to([&](const routing::ConnectTarget& t) { return t.socket_path == host.socket_path; });
    hv.addresses.push_back(std::move(av));
  }
  for (const auto& ip : host.addresses) {
    AddressView av = address_view(ip, health, now, retry);
    av.address = ip.str();
    av.ipv6 = ip.v6;
    av.open_connections =
        sessions_to([&](const routing::ConnectTarget& t) { return !t.unix_socket() && t.address == ip; });
    hv.addresses.push_back(std::move(av));
  }
  return hv;
}

}  // namespace

std::chrono::seconds DeliveryLoop::host_failure_retry(const routing::RecordKey& key, const QueueState* st) const {
  if (st && st->config) return st->policy.host_failure_retry;
  if (const config::ConfigPtr config = deps_.manager.config ? deps_.manager.config() : nullptr)
    return routing::connection_policy_from_config(*config, config::OutboundKey{key.binding, key.domain})
        .host_failure_retry;
  return std::chrono::seconds(120);
}

std::vector<RecordView> DeliveryLoop::describe(std::string_view domain) const {
  std::vector<RecordView> out;
  const std::string name = routing::normalize_domain(domain);
  const SteadyTime now = clock_.now();
  for (const auto& record : cache_.records()) {
    if (!record || record->key.domain != name) continue;
    RecordView view;
    view.binding = record->key.binding;
    view.ttl = record->ttl;
    view.remaining_ttl = record->remaining_ttl(now);
    if (record->failure) {
      view.failure = record->failure->text;
      view.failure_permanent = record->failure->permanent;
    }
    const QueueState* st = nullptr;
    if (auto it = states_.find(queue::QueueKey{record->key.binding, record->key.domain}); it != states_.end())
      st = it->second.get();
    const std::chrono::seconds retry = host_failure_retry(record->key, st);
    const routing::HostHealth& health = deps_.shared.host_health(record->key.binding);
    for (const auto& host : record->hosts)
      view.hosts.push_back(host_view(host, st, health, deps_.shared.host_open_all(host.name), now, retry));
    if (st) {
      view.consecutive_failures = st->domain_health.consecutive_failures();
      view.active_connections = st->load.open_connections;
      for (const auto& rec : st->connections) {
        ConnectionView c{rec->id, rec->address_text, rec->target.host, connection_state_name(rec->state)};
        c.in_flight = rec->running;
        if (rec->session) c.capacity = rec->session->capacity();
        view.connections.push_back(std::move(c));
      }
    }
    out.push_back(std::move(view));
  }
  return out;
}

}  // namespace impulse::delivery
