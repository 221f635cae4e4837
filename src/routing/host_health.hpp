// Failed-address quarantine: an address whose connection or handshake failed
// is not used again for Host_Failure_Retry seconds (default 120), then it is
// tried again (SPEC §3 rule 3; reference/momentum.md §2.6 "Failed IP").
// Host up/down state is per binding: keep one HostHealth per binding.
// A Unix socket target (RouteHost::socket_path) has no address: its
// failures are kept by socket path, with the same rules.
//
// Stores failure times, not deadlines, so Host_Failure_Retry (domain or
// global scope) is applied by the reader. A route verdict on a host
// (delivery: a transport's queue::Hold on a host, e.g. a Retry-After) is a
// hold with its own end time: the address is quarantined until then, and a
// success does not lift it. Thread-safe (an internal lock):
// a binding's queues may live on different event loops. No failure modes.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/clock.hpp"
#include "config/net.hpp"

namespace impulse::routing {

class HostHealth {
 public:
  void record_failure(const config::IpAddress& address, SteadyTime now);
  void record_success(const config::IpAddress& address);

  bool quarantined(const config::IpAddress& address, SteadyTime now, std::chrono::seconds retry) const;
  // When the address last failed (console `domain`: "N s since failure").
  std::optional<SteadyTime> failed_at(const config::IpAddress& address) const;

  // Quarantined until `until` whatever Host_Failure_Retry says (a verdict).
  void hold(const config::IpAddress& address, SteadyTime until);

  // The same for a Unix socket, keyed by its path.
  void record_failure(std::string_view socket_path, SteadyTime now);
  void record_success(std::string_view socket_path);
  bool quarantined(std::string_view socket_path, SteadyTime now, std::chrono::seconds retry) const;
  std::optional<SteadyTime> failed_at(std::string_view socket_path) const;
  void hold(std::string_view socket_path, SteadyTime until);

  // Forget failures older than `retry`; returns how many were dropped.
  std::size_t purge(SteadyTime now, std::chrono::seconds retry);
  std::size_t size() const;

 private:
  using Key = std::pair<bool, std::array<std::uint8_t, 16>>;
  static Key key(const config::IpAddress& address) { return {address.v6, address.bytes}; }
  mutable std::mutex mutex_;
  std::map<Key, SteadyTime> failures_;
  std::map<std::string, SteadyTime, std::less<>> socket_failures_;
  std::map<Key, SteadyTime> held_;                                // address -> held until
  std::map<std::string, SteadyTime, std::less<>> socket_held_;   // socket path -> held until
};

}  // namespace impulse::routing
