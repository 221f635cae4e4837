#include "routing/mx_chooser.hpp"

#include <vector>

namespace impulse::routing {

std::int64_t QueueLoad::open_to(std::string_view host) const {
  auto it = open_by_host.find(host);
  return it == open_by_host.end() ? 0 : it->second;
}

std::int64_t QueueLoad::total_to(std::string_view host) const {
  auto it = host_total_open.find(host);
  return it == host_total_open.end() ? open_to(host) : it->second;
}

namespace {

struct Candidate {
  const RouteHost* host;
  const config::IpAddress* address;  // null for a Unix socket
  std::int64_t open;
};

struct Candidates {
  std::vector<Candidate> usable;  // all of one preference, the best usable one
  bool some_at_limit = false;     // a reachable host was skipped at its Host limit
};

// Why the queue may not open a connection now, whatever the hosts: the
// record failed, the domain is to be delayed, the queue or the server has
// its connections. nullopt: go on and look at the hosts.
std::optional<Choice> queue_refusal(const ChoiceContext& c) {
  Choice choice;
  if (!c.record.usable()) {
    choice.status = ChoiceStatus::RecordFailed;
    choice.failure = c.record.failure;
    return choice;
  }
  if (c.domain_health.should_delay(c.record, c.now, c.policy.mx_failures_to_delay,
                                   c.policy.connect_timeout_to_delay)) {
    choice.status = ChoiceStatus::DelayDomain;
    return choice;
  }
  const auto wanted =
      wanted_connections(c.load.active_messages, c.policy.max_outbound_connections, c.policy.aggressiveness);
  if (c.load.open_connections >= wanted) {
    choice.status = ChoiceStatus::AtQueueLimit;
    return choice;
  }
  if (c.policy.server_max_outbound_connections >= 0 &&
      c.load.server_open_connections >= c.policy.server_max_outbound_connections) {
    choice.status = ChoiceStatus::AtServerLimit;
    return choice;
  }
  return std::nullopt;
}

// The host's first address (record order) that is not quarantined.
const config::IpAddress* first_reachable_address(const RouteHost& host, const ChoiceContext& c) {
  for (const auto& ip : host.addresses) {
    if (!c.host_health.quarantined(ip, c.now, c.policy.host_failure_retry)) return &ip;
  }
  return nullptr;
}

// Rules 1 and 3: the hosts of the best preference that has a reachable host
// below its limit, each with its first reachable address.
Candidates best_preference_candidates(const ChoiceContext& c) {
  Candidates out;
  const auto& hosts = c.record.hosts;
  for (std::size_t level = 0; level < hosts.size() && out.usable.empty();) {
    const std::uint32_t preference = hosts[level].preference;
    std::size_t end = level;
    for (; end < hosts.size() && hosts[end].preference == preference; ++end) {
      const RouteHost& host = hosts[end];
      const config::IpAddress* address = first_reachable_address(host, c);
      const bool socket_up =
          host.unix_socket() && !c.host_health.quarantined(host.socket_path, c.now, c.policy.host_failure_retry);
      if (!address && !socket_up) continue;  // unreachable for now
      const std::int64_t limit = c.host_limit ? c.host_limit(host.name) : -1;
      if (limit >= 0 && c.load.total_to(host.name) >= limit) {
        out.some_at_limit = true;
        continue;
      }
      out.usable.push_back({&host, address, c.load.open_to(host.name)});
    }
    level = end;
  }
  return out;
}

// Rule 2: the candidate with the fewest open connections; ties at random.
const Candidate& least_loaded(const std::vector<Candidate>& candidates, RandomSource& random) {
  std::int64_t fewest = candidates.front().open;
  for (const auto& candidate : candidates) fewest = std::min(fewest, candidate.open);
  std::vector<const Candidate*> tied;
  for (const auto& candidate : candidates) {
    if (candidate.open == fewest) tied.push_back(&candidate);
  }
  return *tied[tied.size() == 1 ? 0 : random.below(tied.size())];
}

ConnectTarget target_of(const Candidate& picked) {
  return ConnectTarget{picked.host->name,
                       picked.address ? *picked.address : config::IpAddress{},
                       picked.host->port,
                       picked.host->preference,
                       picked.host->scheme,
                       picked.host->path,
                       picked.address ? std::string() : picked.host->socket_path};
}

}  // namespace

Choice MxChooser::choose(const ChoiceContext& c) {
  if (auto refused = queue_refusal(c)) return std::move(*refused);

  Choice choice;
  const Candidates candidates = best_preference_candidates(c);
  if (candidates.usable.empty()) {
    if (candidates.some_at_limit) {
      choice.status = ChoiceStatus::HostsAtLimit;
    } else {
      choice.status = ChoiceStatus::NoUsableHost;
      choice.failure = transient_failure(kNoMxReachableText);
    }
    return choice;
  }

  const Candidate& picked = least_loaded(candidates.usable, random_);
  if (c.connection_throttle && !c.connection_throttle->try_take(c.now)) {
    choice.status = ChoiceStatus::Throttled;
    choice.retry_at = c.connection_throttle->next_token_at(c.now);
    return choice;
  }
  choice.status = ChoiceStatus::Connect;
  choice.target = target_of(picked);
  return choice;
}

}  // namespace impulse::routing
