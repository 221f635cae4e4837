// Implementation of delivery/push/push_outcome.hpp.
#include "delivery/push/push_outcome.hpp"

namespace impulse::delivery::push {
namespace {

constexpr protocol::EnhancedStatus kDeadTokenStatus{5, 1, 1};
constexpr protocol::EnhancedStatus kPermanentStatus{5, 0, 0};

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

}  // namespace

PushRecipientResult push_outcome(const PushVerdict& verdict, const PushPeer& peer,
                                 std::chrono::seconds host_failure_retry) {
  const std::string text = one_line(verdict.response_text);
  PushRecipientResult r;
  switch (verdict.kind) {
    case PushVerdictKind::kDelivered:
      r.outcome = queue::delivered(text, peer.address, peer.bytes_sent, peer.host);
      return r;
    case PushVerdictKind::kPermanent:
      r.outcome = queue::permanent(text, queue::kStageResponse, queue::Scope::kRecipient, peer.address,
                                   peer.bytes_sent, peer.host);
      r.outcome.dsn_status = kPermanentStatus;
      return r;
    case PushVerdictKind::kDeadToken:
      r.outcome = queue::permanent(text, queue::kStageResponse, queue::Scope::kRecipient, peer.address,
                                   peer.bytes_sent, peer.host);
      r.outcome.bounce_class = protocol::BounceClass::kInvalidRecipient;
      r.outcome.dsn_status = kDeadTokenStatus;
      return r;
    case PushVerdictKind::kCredentials: {
      r.outcome = queue::transient(text, queue::kStageResponse, queue::Scope::kRecipient, peer.address,
                                   peer.bytes_sent, peer.host);
      const std::string service = peer.service.empty() ? std::string("the service") : peer.service;
      r.hold = queue::Hold{queue::Hold::Target::kQueue, host_failure_retry, false, {},
                           "credentials refused by " + service + ": " + text};
      return r;
    }
    case PushVerdictKind::kTransient:
      r.outcome = queue::transient(text, queue::kStageResponse, queue::Scope::kRecipient, peer.address,
                                   peer.bytes_sent, peer.host);
      if (verdict.retry_after && verdict.retry_after->count() > 0)
        r.hold = queue::Hold{queue::Hold::Target::kQueue, *verdict.retry_after, false, {},
                             "Retry-After " + std::to_string(verdict.retry_after->count()) + " s: " + text};
      return r;
  }
  return r;
}

PushRecipientResult unusable_message(std::string_view why) {
  PushRecipientResult r;
  r.outcome = queue::permanent("554 5.6.0 [internal] " + one_line(why), queue::kStageRequest);
  r.outcome.dsn_status = kPermanentStatus;
  return r;
}

PushVerdict from_apn(const protocol::ApnVerdict& verdict) {
  using K = protocol::ApnVerdictKind;
  PushVerdict v{PushVerdictKind::kTransient, verdict.response_text, verdict.retry_after};
  switch (verdict.kind) {
    case K::kDelivered: v.kind = PushVerdictKind::kDelivered; break;
    case K::kPermanent: v.kind = PushVerdictKind::kPermanent; break;
    case K::kDeadToken: v.kind = PushVerdictKind::kDeadToken; break;
    case K::kCredentials:
    case K::kRenewToken: v.kind = PushVerdictKind::kCredentials; break;
    case K::kTransient:
    case K::kRetryOnNewConnection: v.kind = PushVerdictKind::kTransient; break;
  }
  return v;
}

queue::AttemptResult combine(std::vector<PushRecipientResult> results) {
  queue::AttemptResult out;
  out.outcomes.reserve(results.size());
  for (auto& r : results) {
    out.outcomes.push_back(std::move(r.outcome));
    if (r.hold && (!out.hold || r.hold->at_least > out.hold->at_least)) out.hold = std::move(r.hold);
  }
  return out;
}

}  // namespace impulse::delivery::push
