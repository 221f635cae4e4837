// Implementation of queue/dsn_reports.hpp.
#include "queue/dsn_reports.hpp"

#include "protocol/dsn_params.hpp"
#include "queue/queue_options.hpp"

namespace impulse::queue {

std::optional<protocol::DsnAction> success_action(std::uint8_t notify, DsnHandoff handoff) {
  if ((notify & protocol::kNotifySuccess) == 0) return std::nullopt;
  switch (handoff) {
    case DsnHandoff::kFinal: return protocol::DsnAction::kDelivered;
    case DsnHandoff::kRelayed: return protocol::DsnAction::kRelayed;
    case DsnHandoff::kNone:
    case DsnHandoff::kPassedOn: return std::nullopt;
  }
  return std::nullopt;
}

bool wants_delay_warning(std::uint8_t notify, bool generate_delay_dsn) {
  if (notify == 0) return generate_delay_dsn;
  return (notify & protocol::kNotifyDelay) != 0;
}

bool delay_warning_due(std::chrono::seconds after, WallTime received, WallTime now) {
  return after > std::chrono::seconds(0) && now >= received + after;
}

bool may_have_been_warned(const std::function<std::chrono::seconds(const routing::QueueGroup&)>& delay_dsn_after,
                          const std::vector<routing::QueueGroup>& groups, WallTime received, WallTime now) {
  if (now - received <= std::chrono::seconds(1)) return false;  // just received
  for (const auto& g : groups)
    if (delay_warning_due(delay_dsn_after(g), received, now)) return true;
  return false;
}

std::optional<WallTime> retry_until(const RetryOptions& retry, WallTime received) {
  if (retry.message_expiration <= std::chrono::seconds(0)) return std::nullopt;
  return received + retry.message_expiration;
}

}  // namespace impulse::queue
