// QueueKey: names one queue pair (active + delayed) of the scheduler: the
// (binding, domain) a recipient is split into at reception (SPEC §5;
// reference/momentum.md §7.1). Also the hash that pins a queue to one event
// loop (queue/scheduler.hpp).
//
// Leaves to others: choosing the binding (routing/router.hpp BindingPolicy);
// lower-casing the domain (the router does it once, at reception).
// Threading: a plain value. Failure modes: none.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>

namespace impulse::queue {

struct QueueKey {
  std::string binding = "default";
  std::string domain;  // lower-case

  bool operator==(const QueueKey&) const = default;
  auto operator<=>(const QueueKey&) const = default;
  // "binding/domain", for logs and errors.
  // Appended into one named string: `binding + "/" + domain` trips a GCC 12
  // -Warray-bounds false positive at -O1 (the tsan preset).
  std::string to_string() const {
    std::string out;
    out.reserve(binding.size() + 1 + domain.size());
    out.append(binding).append(1, '/').append(domain);
    return out;
  }
};

struct QueueKeyHash {
  std::size_t operator()(const QueueKey& k) const noexcept {
    const std::size_t h = std::hash<std::string>{}(k.binding);
    return h ^ (std::hash<std::string>{}(k.domain) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2));
  }
};

}  // namespace impulse::queue
