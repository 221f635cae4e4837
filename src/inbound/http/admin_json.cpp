// Implementation of admin_json.hpp.
#include "inbound/http/admin_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace impulse::inbound::http {

namespace json = boost::json;

namespace {

json::string_view sv(std::string_view s) { return {s.data(), s.size()}; }

json::value optional_time(const std::optional<std::int64_t>& t) {
  return t ? json::value(*t) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  out.reserve(v.size());
  for (const auto& s : v) out.emplace_back(sv(s));
  return out;
}

json::array mxs_json(const std::vector<delivery::HostView>& hosts) {
  json::array out;
  for (const auto& h : hosts) {
    json::array addresses;
    json::array quarantined;
    for (const auto& a : h.addresses) {
      addresses.emplace_back(sv(a.address));
      if (a.quarantined) quarantined.emplace_back(sv(a.address));
    }
    out.push_back(json::object{{"preference", h.preference},
                               {"host", sv(h.name)},
                               {"port", h.port},
                               {"ttl", h.ttl},
                               {"addresses", std::move(addresses)},
                               {"quarantined", std::move(quarantined)}});
  }
  return out;
}

json::object record_json(const delivery::RecordView& r) {
  json::array connections;
  for (const auto& c : r.connections)
    connections.push_back(
        json::object{{"id", sv(c.id)}, {"address", sv(c.address)}, {"host", sv(c.host)}, {"state", sv(c.state)}});
  return json::object{{"binding", sv(r.binding)},
                      {"ttl", r.ttl},
                      {"remaining_ttl", r.remaining_ttl},
                      {"failure", r.failure ? json::value(sv(*r.failure)) : json::value(nullptr)},
                      {"failure_permanent", r.failure_permanent},
                      {"consecutive_failures", r.consecutive_failures},
                      {"active_connections", r.active_connections},
                      {"mxs", mxs_json(r.hosts)},
                      {"connections", std::move(connections)}};
}

}  // namespace

std::string_view entry_state_key(admin::EntryState s) {
  switch (s) {
    case admin::EntryState::kActive: return "active";
    case admin::EntryState::kInFlight: return "in_flight";
    case admin::EntryState::kDelayed: return "delayed";
  }
  return "active";
}

json::value summary_json(const admin::Summary& s) {
  return json::object{{"active_queue_size", s.active},
                      {"delayed_queue_size", s.delayed},
                      {"total_queue_size", s.total()},
                      {"outbound_concurrency", s.outbound_concurrency},
                      {"inbound_concurrency", s.inbound_concurrency},
                      {"received_messages", s.received},
                      {"successfully_delivered_messages", s.delivered},
                      {"failed_messages", s.failed},
                      {"transient_failures", s.transient_failures},
                      {"uptime", s.uptime.count()}};
}

json::value domain_json(const delivery::DomainDescription& d) {
  json::array queues;
  for (const auto& q : d.queues)
    queues.push_back(json::object{{"binding", sv(q.binding)},
                                  {"active", q.active},
                                  {"delayed", q.delayed},
                                  {"deliveries", q.deliveries},
                                  {"failures", q.failures},
                                  {"held_until", optional_time(q.held_until)},
                                  {"held_reason", q.held_until ? json::value(sv(q.held_reason)) : json::value(nullptr)}});
  json::array records;
  for (const auto& r : d.records) records.push_back(record_json(r));
  const delivery::RecordView* first = d.records.empty() ? nullptr : &d.records.front();
  return json::object{{"domain", sv(d.domain)},
                      {"ttl", first ? json::value(first->ttl) : json::value(nullptr)},
                      {"mxs", first ? mxs_json(first->hosts) : json::array{}},
                      {"queues", std::move(queues)},
                      {"records", std::move(records)}};
}

json::value queues_json(const std::vector<admin::QueueLine>& queues) {
  json::array out;
  out.reserve(queues.size());
  for (const auto& q : queues)
    out.push_back(json::object{{"binding_group", q.binding_group.empty() ? json::value(nullptr) : json::value(sv(q.binding_group))},
                               {"binding", sv(q.binding)},
                               {"domain", sv(q.domain)},
                               {"active", q.active},
                               {"in_flight", q.in_flight},
                               {"delayed", q.delayed},
                               {"received", q.received},
                               {"delivered", q.delivered},
                               {"failed", q.failed},
                               {"suspended", q.suspended},
                               {"held_until", optional_time(q.held_until)},
                               {"held_reason", q.held_until ? json::value(sv(q.held_reason)) : json::value(nullptr)}});
  return out;
}

json::value message_json(std::string_view id, const std::vector<admin::MessageInfo>& parts) {
  json::array queues;
  for (const auto& m : parts)
    queues.push_back(json::object{{"binding", sv(m.binding)},
                                  {"domain", sv(m.domain)},
                                  {"state", sv(entry_state_key(m.state))},
                                  {"created", m.created},
                                  {"next_attempt", m.next_attempt},
                                  {"retries", m.retries},
                                  {"size", m.size},
                                  {"sender", sv(m.sender)},
                                  {"recipients", strings(m.recipients)}});
  return json::object{{"id", sv(id)}, {"queues", std::move(queues)}};
}

json::value reload_refused_json(const admin::ReloadOutcome& r) {
  return json::object{{"error", "reload refused: the running configuration is unchanged"},
                      {"errors", strings(r.errors)}};
}

}  // namespace impulse::inbound::http
