// Implementation of delivery/mm7/mm7_outcome.hpp.
#include "delivery/mm7/mm7_outcome.hpp"

#include "protocol/apn_response.hpp"

namespace impulse::delivery::mm7 {

namespace {

std::string one_line(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out)
    if (c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

std::string http_text(const http1::Http1Response& response) {
  std::string text = std::to_string(response.status);
  if (!response.reason.empty()) text += " " + one_line(response.reason);
  return text;
}

}  // namespace

Mm7Result response_outcome(const http1::Http1Response& response, const protocol::Mm7StatusOverrides& overrides,
                           const Mm7Peer& peer, std::chrono::seconds credentials_hold, std::int64_t now_unix) {
  const push::PushPeer from{"MM7", peer.address, peer.host, peer.bytes_sent};
  push::PushVerdict verdict{push::PushVerdictKind::kTransient, http_text(response), std::nullopt};
  std::string remote_id;
  if (response.status == 401) {
    verdict.kind = push::PushVerdictKind::kCredentials;
  } else if (auto parsed = protocol::parse_mm7_response(response.body, response.header("content-type"));
             parsed && parsed->status_code) {
    const int code = *parsed->status_code;
    std::string status_text = parsed->status_text.empty() ? std::string(protocol::mm7_status_name(code))
                                                          : one_line(parsed->status_text);
    verdict.response_text = std::to_string(response.status) + " " + std::to_string(code) +
                            (status_text.empty() ? "" : " " + status_text);
    switch (protocol::mm7_status_class(code, overrides)) {
      case protocol::Mm7StatusClass::kSuccess:
        verdict.kind = push::PushVerdictKind::kDelivered;
        remote_id = parsed->message_id;
        break;
      case protocol::Mm7StatusClass::kPermanent:
        verdict.kind = code == 2002 || code == 2003 ? push::PushVerdictKind::kDeadToken
                                                    : push::PushVerdictKind::kPermanent;
        break;
      case protocol::Mm7StatusClass::kTransient: verdict.kind = push::PushVerdictKind::kTransient; break;
    }
  } else if (parsed && !parsed->fault_string.empty()) {
    verdict.response_text += ": " + one_line(parsed->fault_string);
  }
  if (verdict.kind == push::PushVerdictKind::kTransient && (response.status == 429 || response.status == 503)) {
    if (auto value = response.header("retry-after"); !value.empty())
      verdict.retry_after = protocol::parse_retry_after(value, now_unix);
  }
  Mm7Result r = push::push_outcome(verdict, from, credentials_hold);
  r.outcome.remote_id = std::move(remote_id);
  return r;
}

Mm7Result failure_outcome(const http1::Http1Error& error, const Mm7Peer& peer) {
  std::string text = error.kind == http1::Http1ErrorKind::kTimeout
                         ? "451 4.4.2 [internal] no MM7 response: " + one_line(error.detail)
                         : "451 4.4.2 [internal] MM7 connection failed: " + one_line(error.detail);
  return {queue::transient(std::move(text), queue::kStageResponse, queue::Scope::kRecipient, peer.address,
                           peer.bytes_sent, peer.host),
          std::nullopt};
}

Mm7Result unusable_message(std::string_view why) { return push::unusable_message(why); }

SessionOpenFailure open_failure(const http1::Http1Error& error, const Mm7Peer& peer) {
  const bool tls = error.kind == http1::Http1ErrorKind::kTls;
  const bool timed_out = error.detail.find("timed out") != std::string::npos;
  std::string text = tls         ? "451 4.7.5 [internal] TLS negotiation failed: " + one_line(error.detail)
                     : timed_out ? std::string(queue::internal_reply::kConnectionTimedOut)
                                 : "451 4.4.1 [internal] MM7 connection failed: " + one_line(error.detail);
  return SessionOpenFailure{
      queue::transient(std::move(text), tls ? queue::Stage::kTlsHandshake : queue::Stage::kNotConnected,
                       queue::Scope::kHost, peer.address, 0, peer.host),
      error.detail};
}

}  // namespace impulse::delivery::mm7
