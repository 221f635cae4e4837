// A small harness around MxChooser for unit tests: owns the load, health,
// policy and clock, and can "open" the connection a choice names so tests
// can play a whole sequence of connection openings.
#pragma once

#include <map>
#include <string>

#include "routing/mx_chooser.hpp"
#include "support/fake_resolver.hpp"

namespace impulse::routing::testing {

using test::ip;

inline RouteHost host(std::string name, std::uint32_t preference, std::initializer_list<const char*> addresses,
                      std::uint16_t port = 25) {
  RouteHost h;
  h.name = std::move(name);
  h.preference = preference;
  h.port = port;
  for (const char* a : addresses) h.addresses.push_back(ip(a));
  return h;
}

inline DomainRecord record_of(std::vector<RouteHost> hosts) {
  DomainRecord record;
  record.key = {"default", "example.com"};
  record.hosts = std::move(hosts);
  record.ttl = 300;
  return record;
}

struct ChooserHarness {
  ChooserHarness() { load.active_messages = 100000; }  // a queue that wants its maximum

  Choice choose(const DomainRecord& record) {
    return chooser.choose({record, load, policy, host_limit, host_health, domain_health, throttle, clock.now()});
  }
  // Chooses, and when the answer is Connect counts the connection as open.
  Choice open(const DomainRecord& record) {
    Choice choice = choose(record);
    if (choice.status == ChoiceStatus::Connect) {
      ++load.open_by_host[choice.target->host];
      ++load.open_connections;
      ++load.server_open_connections;
    }
    return choice;
  }
  void close(const std::string& name) {
    --load.open_by_host[name];
    --load.open_connections;
    --load.server_open_connections;
  }
  void set_host_limits(std::map<std::string, std::int64_t> limits) {
    host_limit = [limits = std::move(limits)](std::string_view name) -> std::int64_t {
      auto it = limits.find(std::string(name));
      return it == limits.end() ? -1 : it->second;
    };
  }

  ManualClock clock;
  SeededRandom random{7};
  MxChooser chooser{random};
  HostHealth host_health;
  DomainHealth domain_health;
  ConnectionPolicy policy;
  QueueLoad load;
  HostLimitFn host_limit;
  TokenBucket* throttle = nullptr;
};

}  // namespace impulse::routing::testing
