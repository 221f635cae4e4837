// Implementation of delivery/gcm/gcm_outcome.hpp.
#include "delivery/gcm/gcm_outcome.hpp"

#include "protocol/internal_replies.hpp"

namespace impulse::delivery::gcm {
namespace {

constexpr std::string_view kCredentialsNotConfigured = "451 4.7.0 [internal] GCM credentials not configured";

std::string one_line(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

push::PushVerdictKind kind_of(protocol::GcmVerdictKind kind) {
  using K = protocol::GcmVerdictKind;
  switch (kind) {
    case K::kDelivered: return push::PushVerdictKind::kDelivered;
    case K::kPermanent: return push::PushVerdictKind::kPermanent;
    case K::kDeadToken: return push::PushVerdictKind::kDeadToken;
    case K::kCredentials: return push::PushVerdictKind::kCredentials;
    case K::kTransient: return push::PushVerdictKind::kTransient;
  }
  return push::PushVerdictKind::kTransient;
}

}  // namespace

PushRecipientResult credentials_not_configured(std::chrono::seconds hold) {
  PushRecipientResult r;
  r.outcome = queue::transient(std::string(kCredentialsNotConfigured), queue::Stage::kNotConnected,
                               queue::Scope::kMessage);
  r.hold = queue::Hold{queue::Hold::Target::kQueue, hold, false, {}, "GCM credentials not configured"};
  return r;
}

PushRecipientResult response_outcome(const protocol::GcmVerdict& verdict, const PushPeer& peer,
                                     std::chrono::seconds credentials_hold) {
  std::string text = verdict.response_text;
  // The canonical token travels with the delivery record (and the token_replaced event).
  if (!verdict.canonical_token.empty()) text += " registration_id=" + verdict.canonical_token;
  const push::PushVerdict v{kind_of(verdict.kind), std::move(text), verdict.retry_after};
  PushRecipientResult r = push::push_outcome(v, peer, credentials_hold);
  r.outcome.remote_id = verdict.message_id;  // FCM's message name / the legacy message_id
  return r;
}

PushRecipientResult token_outcome(const TokenResult& token, const PushPeer& peer,
                                  std::chrono::seconds credentials_hold) {
  if (token.kind == TokenResult::Kind::kRefused)
    return push::push_outcome(push::PushVerdict{push::PushVerdictKind::kCredentials, one_line(token.value), {}}, peer,
                              credentials_hold);
  PushRecipientResult r;
  r.outcome = queue::transient("451 4.4.2 [internal] GCM access token not obtained: " + one_line(token.value),
                               queue::Stage::kNotConnected, queue::Scope::kMessage, peer.address, 0, peer.host);
  return r;
}

PushRecipientResult failure_outcome(const http2::Http2Error& error, const PushPeer& peer) {
  std::string text = error.kind == http2::Http2ErrorKind::kTimeout
                         ? "451 4.4.2 [internal] no GCM response: " + one_line(error.detail)
                         : "451 4.4.2 [internal] GCM connection failed: " + one_line(error.detail);
  PushRecipientResult r;
  r.outcome = queue::transient(std::move(text), queue::kStageResponse, queue::Scope::kMessage, peer.address,
                               peer.bytes_sent, peer.host);
  return r;
}

SessionOpenFailure open_failure(const http2::Http2Error& error, const PushPeer& peer) {
  const bool tls = error.kind == http2::Http2ErrorKind::kTls;
  const bool timed_out = error.detail.find("timed out") != std::string::npos;
  std::string text = tls         ? "451 4.7.5 [internal] TLS negotiation failed: " + one_line(error.detail)
                     : timed_out ? std::string(queue::internal_reply::kConnectionTimedOut)
                                 : "451 4.4.1 [internal] GCM connection failed: " + one_line(error.detail);
  return SessionOpenFailure{queue::transient(std::move(text), tls ? queue::Stage::kTlsHandshake : queue::Stage::kNotConnected,
                                             queue::Scope::kHost, peer.address, 0, peer.host),
                            error.detail};
}

}  // namespace impulse::delivery::gcm
