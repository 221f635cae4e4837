// DeliveryMetrics: the connection manager's hooks into the daemon's metrics
// registry (SPEC §16 "Metrics"; a prometheus::Registry, see
// spool/commit_metrics.hpp for where the registry lives):
// impulse_deliveries_total{method,outcome} (recipients, by the outcome the
// transport or the connection manager gave them: delivered | transient |
// permanent) and impulse_outbound_connections{method} (sessions open or
// opening). Every series is added up front, one per Delivery_Method (and
// outcome), so the label sets are bounded and the hot path only indexes an
// array of cached series pointers and adds to prometheus-cpp's atomic: no
// lock, no allocation, no label lookup.
//
// Leaves to others: retry decisions (a transient outcome is counted as the
// attempt's outcome even when the queue then gives up on it), serving the
// registry (inbound/http/metrics_routes.hpp).
// Threading: thread-safe (atomics); called from every delivery loop.
// Lifetime: the Registry outlives this object. Failures: none.
#pragma once

#include <array>
#include <cstdint>

#include "queue/outcome.hpp"
#include "routing/delivery_method.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace impulse::delivery {

class DeliveryMetrics {
 public:
  explicit DeliveryMetrics(prometheus::Registry& registry);

  // One per recipient outcome of `result`.
  void count(routing::DeliveryMethod method, const queue::AttemptResult& result) noexcept;
  void count(routing::DeliveryMethod method, queue::Disposition disposition, std::uint64_t recipients = 1) noexcept;
  void connection_opened(routing::DeliveryMethod method) noexcept;
  void connection_closed(routing::DeliveryMethod method) noexcept;

 private:
  static constexpr std::size_t kMethods = 7;  // routing::DeliveryMethod's values
  static constexpr std::size_t kOutcomes = 3;
  std::array<std::array<prometheus::Counter*, kOutcomes>, kMethods> deliveries_{};
  std::array<prometheus::Gauge*, kMethods> connections_{};
};

}  // namespace impulse::delivery
