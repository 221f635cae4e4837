// The webhook retry schedule (SPEC §17: exponential backoff up to the
// stanza's max_retry_interval): after the n-th consecutive failure
// (n >= 1) the sender waits 1 s * 2^(n-1), at most max_retry_interval (and
// at least 1 s). A success resets n. Pure; any thread.
#pragma once

#include <algorithm>
#include <chrono>

namespace impulse::log {

inline std::chrono::seconds webhook_backoff(unsigned failures, std::chrono::seconds max_retry_interval) {
  const std::chrono::seconds cap = std::max(max_retry_interval, std::chrono::seconds(1));
  if (failures == 0) return std::chrono::seconds(0);
  if (failures > 31) return cap;
  return std::min(std::chrono::seconds(std::int64_t{1} << (failures - 1)), cap);
}

}  // namespace impulse::log
