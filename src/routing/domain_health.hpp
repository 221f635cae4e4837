// Whether a (binding, domain) is dead enough to move its active queue to the
// delayed queue (SPEC §3 rule 5; reference/momentum.md §2.6 "Domain
// auto-delay"):
//   - Mx_Failures_To_Delay (50; 0 disables): every MX host of the record
//     that has addresses (or is a Unix socket) has failed that many
//     consecutive times;
//   - Connect_Timeout_To_Delay (900 s; 0 disables): no connection has
//     succeeded since the first failure that long ago.
// A success to any host makes the domain reachable again. After the caller
// moved the queue, it calls reset() so the next attempt starts afresh.
//
// One per (binding, domain) queue, owned by that queue's event loop. Hosts
// are keyed by their record name (MX exchange or route host).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "routing/domain_record.hpp"

namespace impulse::routing {

class DomainHealth {
 public:
  // A connection or handshake to `host` failed.
  void record_failure(std::string_view host, SteadyTime now);
  // A connection to `host` succeeded (banner and greeting accepted).
  void record_success(std::string_view host);

  bool should_delay(const DomainRecord& record, SteadyTime now, std::uint32_t mx_failures_to_delay,
                    std::chrono::seconds connect_timeout_to_delay) const;
  void reset();

  // "Domain has had N consecutive connection failures".
  std::uint32_t consecutive_failures() const { return consecutive_; }
  std::uint32_t host_failures(std::string_view host) const;

 private:
  std::map<std::string, std::uint32_t, std::less<>> host_failures_;
  std::uint32_t consecutive_ = 0;
  std::optional<SteadyTime> unreachable_since_;
};

}  // namespace impulse::routing
