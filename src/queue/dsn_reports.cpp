// Implementation of queue/dsn_reports.hpp.
#include "queue/dsn_reports.hpp"

#include "protocol/dsn_params.hpp"

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

bool delay_warning_due(const RetryOptions& retry, std::chrono::seconds after, std::int64_t retries_done,
                       WallTime received, WallTime now) {
  if (after <= std::chrono::seconds(0)) return false;
  const WallTime threshold = received + after;
  if (now < threshold) return false;
  if (retries_done <= 0) return true;
  return now - retry_delay(retry, retries_done) < threshold;
}

std::optional<WallTime> retry_until(const RetryOptions& retry, WallTime received) {
  if (retry.message_expiration <= std::chrono::seconds(0)) return std::nullopt;
  return received + retry.message_expiration;
}

}  // namespace impulse::queue
