// Implementation of delivery_metrics.hpp.
#include "delivery/delivery_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace impulse::delivery {

namespace {

constexpr routing::DeliveryMethod kAllMethods[] = {
    routing::DeliveryMethod::Esmtp, routing::DeliveryMethod::Smtp, routing::DeliveryMethod::Lmtp,
    routing::DeliveryMethod::Ecstream, routing::DeliveryMethod::Apn, routing::DeliveryMethod::Gcm,
    routing::DeliveryMethod::Mm7};

std::size_t outcome_index(queue::Disposition d) {
  switch (d) {
    case queue::Disposition::kDelivered: return 0;
    case queue::Disposition::kTransient: return 1;
    case queue::Disposition::kPermanent: return 2;
  }
  return 1;
}

constexpr const char* kOutcomeNames[] = {"delivered", "transient", "permanent"};

}  // namespace

DeliveryMetrics::DeliveryMetrics(prometheus::Registry& registry) {
  static_assert(std::size(kAllMethods) == kMethods);
  auto& deliveries = prometheus::BuildCounter()
                         .Name("impulse_deliveries_total")
                         .Help("Recipients by delivery method and attempt outcome.")
                         .Register(registry);
  auto& connections = prometheus::BuildGauge()
                          .Name("impulse_outbound_connections")
                          .Help("Outbound sessions open or opening, by delivery method.")
                          .Register(registry);
  for (auto m : kAllMethods) {
    const std::string name(routing::delivery_method_name(m));
    const auto i = static_cast<std::size_t>(m);
    for (std::size_t o = 0; o < kOutcomes; ++o)
      deliveries_[i][o] = &deliveries.Add({{"method", name}, {"outcome", kOutcomeNames[o]}});
    connections_[i] = &connections.Add({{"method", name}});
  }
}

void DeliveryMetrics::count(routing::DeliveryMethod method, const queue::AttemptResult& result) noexcept {
  for (const auto& o : result.outcomes) count(method, o.disposition);
}

void DeliveryMetrics::count(routing::DeliveryMethod method, queue::Disposition disposition,
                            std::uint64_t recipients) noexcept {
  const auto i = static_cast<std::size_t>(method);
  if (i < kMethods) deliveries_[i][outcome_index(disposition)]->Increment(static_cast<double>(recipients));
}

void DeliveryMetrics::connection_opened(routing::DeliveryMethod method) noexcept {
  const auto i = static_cast<std::size_t>(method);
  if (i < kMethods) connections_[i]->Increment();
}

void DeliveryMetrics::connection_closed(routing::DeliveryMethod method) noexcept {
  const auto i = static_cast<std::size_t>(method);
  if (i < kMethods) connections_[i]->Decrement();
}

}  // namespace impulse::delivery
