// Implementation of delivery/ecstream/ecstream_outcome.hpp.
#include "delivery/ecstream/ecstream_outcome.hpp"

namespace impulse::delivery::ecstream {

namespace ir = protocol::internal_reply;
using queue::Scope;
using queue::Stage;

queue::Outcome reply_outcome(const protocol::ecstream::Reply& reply, const OutcomeContext& c) {
  std::string line = reply.line();
  if (reply.code < 300) return queue::delivered(std::move(line), c.remote_ip, c.bytes_sent, c.remote_host);
  if (reply.code < 500)
    return queue::transient(std::move(line), queue::kStageResponse, Scope::kMessage, c.remote_ip, c.bytes_sent,
                            c.remote_host);
  return queue::permanent(std::move(line), queue::kStageResponse, Scope::kMessage, c.remote_ip, c.bytes_sent,
                          c.remote_host);
}

queue::Outcome goaway_outcome(const protocol::ecstream::Goaway& goaway, const OutcomeContext& c) {
  std::string line = std::to_string(goaway.code);
  if (goaway.code >= 500) line = "421";  // a GOAWAY is never a verdict on the message
  if (!goaway.enhanced.empty()) line += " " + goaway.enhanced;
  if (!goaway.text.empty()) line += " " + goaway.text;
  return queue::transient(std::move(line), queue::kStageResponse, Scope::kMessage, c.remote_ip, c.bytes_sent,
                          c.remote_host);
}

queue::Outcome failure_outcome(FailureKind kind, const OutcomeContext& c) {
  auto host = [&](std::string_view text, Stage stage) {
    return queue::transient(std::string(text), stage, Scope::kHost, c.remote_ip, c.bytes_sent, c.remote_host);
  };
  auto message = [&](std::string_view text, Stage stage) {
    return queue::transient(std::string(text), stage, Scope::kMessage, c.remote_ip, c.bytes_sent, c.remote_host);
  };
  switch (kind) {
    case FailureKind::kConnectTimeout: return host(ir::kConnectionTimedOut, Stage::kNotConnected);
    case FailureKind::kConnectFailed: return host(ir::kNoValidHostsNoConnections, Stage::kNotConnected);
    case FailureKind::kTlsFailed: return host(ir::kTlsNegotiationFailed, Stage::kTlsHandshake);
    case FailureKind::kCertUntrusted: return host(ir::kCertNotSignedByCa, Stage::kTlsHandshake);
    case FailureKind::kCertNameMismatch: return host(ir::kCertNameMismatch, Stage::kTlsHandshake);
    case FailureKind::kNoGreeting: return host(ir::kEcstreamNoGreeting, Stage::kReadingBanner);
    case FailureKind::kProtocolError: return message(ir::kEcstreamProtocolError, queue::kStageResponse);
    case FailureKind::kClosed: return message(ir::kConnectionClosed, queue::kStageResponse);
    case FailureKind::kSendFailed: return message(ir::kSendBodyFailed, queue::kStageRequest);
    case FailureKind::kNoResponse: return message(ir::kEcstreamNoResponse, queue::kStageResponse);
    case FailureKind::kTooBig:
      return queue::permanent(std::string(ir::kEcstreamTooBig), queue::kStageRequest, Scope::kMessage, c.remote_ip, 0,
                              c.remote_host);
  }
  return message(ir::kConnectionClosed, queue::kStageResponse);
}

}  // namespace impulse::delivery::ecstream
