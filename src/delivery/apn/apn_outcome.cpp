// Implementation of delivery/apn/apn_outcome.hpp.
#include "delivery/apn/apn_outcome.hpp"

namespace impulse::delivery::apn {

namespace {

constexpr std::string_view kCredentialsNotConfigured = "451 4.7.0 [internal] APN credentials not configured";

std::string one_line(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

}  // namespace

ApnResult unusable_message(std::string_view why) { return push::unusable_message(why); }

ApnResult credentials_not_configured(std::chrono::seconds hold) {
  ApnResult r{queue::transient(std::string(kCredentialsNotConfigured), queue::Stage::kNotConnected,
                               queue::Scope::kMessage),
              std::nullopt};
  r.hold = queue::Hold{queue::Hold::Target::kQueue, hold, false, {}, "APN credentials not configured"};
  return r;
}

ApnResult response_outcome(const protocol::ApnVerdict& verdict, const ApnPeer& peer, std::string_view apns_id,
                           std::chrono::seconds credentials_hold) {
  const push::PushPeer from{"APN", peer.address, peer.host, peer.bytes_sent};
  ApnResult r = push::push_outcome(push::from_apn(verdict), from, credentials_hold);
  r.outcome.remote_id = std::string(apns_id);
  return r;
}

ApnResult failure_outcome(const http2::Http2Error& error, const ApnPeer& peer) {
  std::string text;
  switch (error.kind) {
    case http2::Http2ErrorKind::kTimeout: text = "451 4.4.2 [internal] no APN response: " + one_line(error.detail); break;
    default: text = "451 4.4.2 [internal] APN connection failed: " + one_line(error.detail); break;
  }
  return {queue::transient(std::move(text), queue::kStageResponse, queue::Scope::kMessage, peer.address,
                           peer.bytes_sent, peer.host),
          std::nullopt};
}

SessionOpenFailure open_failure(const http2::Http2Error& error, const ApnPeer& peer) {
  const bool tls = error.kind == http2::Http2ErrorKind::kTls;
  const bool timed_out = error.detail.find("timed out") != std::string::npos;
  std::string text = tls         ? "451 4.7.5 [internal] TLS negotiation failed: " + one_line(error.detail)
                     : timed_out ? std::string(queue::internal_reply::kConnectionTimedOut)
                                 : "451 4.4.1 [internal] APN connection failed: " + one_line(error.detail);
  return SessionOpenFailure{queue::transient(std::move(text), tls ? queue::Stage::kTlsHandshake : queue::Stage::kNotConnected,
                                             queue::Scope::kHost, peer.address, 0, peer.host),
                            error.detail};
}

}  // namespace impulse::delivery::apn
