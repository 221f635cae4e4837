// Implementation of delivery/smtp/session_outcome.hpp.
#include "delivery/smtp/session_outcome.hpp"

namespace impulse::delivery::smtp {
namespace {

namespace ir = queue::internal_reply;
using queue::Stage;

bool setup_phase(Phase phase) {
  switch (phase) {
    case Phase::kConnect:
    case Phase::kBanner:
    case Phase::kHello:
    case Phase::kStartTls:
    case Phase::kTlsHandshake:
    case Phase::kXclient:
    case Phase::kAuth:
    case Phase::kRset:
    case Phase::kIdle:
      return true;
    default:
      return false;
  }
}

std::string_view no_response_text(Phase phase) {
  switch (phase) {
    case Phase::kConnect: return ir::kConnectionTimedOut;
    case Phase::kBanner: return ir::kNoBanner;
    case Phase::kHello: return ir::kNoHeloResponse;
    case Phase::kStartTls: return ir::kNoTlsGoAhead;
    case Phase::kTlsHandshake: return ir::kTlsNegotiationFailed;
    case Phase::kXclient: return ir::kNoXclientResponse;
    case Phase::kAuth: return ir::kNoAuthResponse;
    case Phase::kMailFrom: return ir::kNoMailFromResponse;
    case Phase::kRcptTo: return ir::kNoRcptToResponse;
    case Phase::kData: return ir::kNoDataResponse;
    case Phase::kBody: return ir::kSendBodyFailed;
    case Phase::kConfirmation: return ir::kNoBodyResponse;
    case Phase::kRset: return ir::kNoRsetResponse;
    case Phase::kIdle: return ir::kConnectionClosed;
  }
  return ir::kConnectionClosed;
}

std::string_view send_failed_text(Phase phase) {
  switch (phase) {
    case Phase::kHello: return ir::kSendHeloFailed;
    case Phase::kStartTls: return ir::kSendStartTlsFailed;
    case Phase::kTlsHandshake: return ir::kTlsNegotiationFailed;
    case Phase::kXclient: return ir::kSendXclientFailed;
    case Phase::kAuth: return ir::kSendAuthFailed;
    case Phase::kMailFrom: return ir::kSendMailFromFailed;
    case Phase::kRcptTo: return ir::kSendRcptToFailed;
    case Phase::kData: return ir::kSendDataFailed;
    case Phase::kBody: return ir::kSendBodyFailed;
    case Phase::kRset: return ir::kSendRsetFailed;
    default: return ir::kConnectionClosed;
  }
}

queue::Outcome stamp(queue::Outcome o, const OutcomeContext& context) {
  o.remote_ip = context.remote_ip;
  o.remote_host = context.remote_host;
  o.bytes_sent = context.bytes_sent;
  return o;
}

}  // namespace

queue::Stage stage_of(Phase phase) {
  switch (phase) {
    case Phase::kConnect: return Stage::kNotConnected;
    case Phase::kBanner: return Stage::kReadingBanner;
    case Phase::kHello: return Stage::kDuringEhlo;
    case Phase::kStartTls: return Stage::kDuringStartTls;
    case Phase::kTlsHandshake: return Stage::kTlsHandshake;
    case Phase::kXclient: return Stage::kDuringXclient;
    case Phase::kAuth: return Stage::kAfterEhlo;  // Momentum has no AUTH stage
    case Phase::kMailFrom: return Stage::kDuringMailFrom;
    case Phase::kRcptTo: return Stage::kDuringRcptTo;
    case Phase::kData: return Stage::kDuringData;
    case Phase::kBody: return Stage::kSendingBody;
    case Phase::kConfirmation: return Stage::kReadingConfirmation;
    case Phase::kRset: return Stage::kDuringRset;
    case Phase::kIdle: return Stage::kIdle;
  }
  return Stage::kUnknown;
}

std::string_view failure_text(const SessionFailure& failure) {
  switch (failure.kind) {
    case FailureKind::kTimeout:
    case FailureKind::kBadReply:
      return no_response_text(failure.phase);
    case FailureKind::kClosed:
      return failure.phase == Phase::kTlsHandshake ? ir::kTlsNegotiationFailed : ir::kConnectionClosed;
    case FailureKind::kSendFailed:
      return send_failed_text(failure.phase);
    case FailureKind::kRejected:
      return failure.reply;
    case FailureKind::kConnectTimeout:
      return ir::kConnectionTimedOut;
    case FailureKind::kConnectFailed:
      return ir::kNoValidHostsNoConnections;
    case FailureKind::kTlsFailed:
      return ir::kTlsNegotiationFailed;
    case FailureKind::kCertUntrusted:
      return ir::kCertNotSignedByCa;
    case FailureKind::kCertNameMismatch:
      return ir::kCertNameMismatch;
    case FailureKind::kStartTlsNotAdvertised:
      return ir::kStartTlsNotAdvertised;
    case FailureKind::kXclientNotAdvertised:
      return ir::kXclientNotAdvertised;
    case FailureKind::kArgumentsTooLong:
      return failure.phase == Phase::kRcptTo ? ir::kRcptToArgsTooLong : ir::kMailFromArgsTooLong;
    case FailureKind::kAuthUnavailable:
      return failure.reply.empty() ? ir::kAuthNotAdvertised : std::string_view(failure.reply);
    case FailureKind::kDane:
      return failure.reply;
  }
  return ir::kConnectionClosed;
}

SessionFailure dane_failure(Phase phase, std::string reason) {
  SessionFailure f{phase, FailureKind::kDane, std::string(ir::kDanePrefix) + reason, {}};
  f.detail = std::move(reason);
  return f;
}

queue::Outcome map_reply(Phase phase, const Reply& reply, queue::Scope scope, const OutcomeContext& context) {
  if (setup_phase(phase)) {
    return stamp(queue::transient(reply.text, stage_of(phase), queue::Scope::kHost), context);
  }
  if (reply.positive()) return stamp(queue::delivered(reply.text, {}, 0), context);
  if (reply.permanent() && !(phase == Phase::kRcptTo && reply.too_many_recipients())) {
    return stamp(queue::permanent(reply.text, stage_of(phase), scope), context);
  }
  // 4xx, a 3xx where it is not expected, and a legacy 552 "too many
  // recipients" to RCPT: try again later.
  return stamp(queue::transient(reply.text, stage_of(phase), scope), context);
}

queue::Outcome map_failure(const SessionFailure& failure, const OutcomeContext& context) {
  queue::Stage stage = stage_of(failure.phase);
  queue::Scope scope = queue::Scope::kHost;
  switch (failure.kind) {
    case FailureKind::kConnectTimeout:
    case FailureKind::kConnectFailed:
      stage = queue::Stage::kNotConnected;
      break;
    case FailureKind::kStartTlsNotAdvertised:
      stage = queue::Stage::kAfterEhlo;
      break;
    case FailureKind::kXclientNotAdvertised:
      stage = queue::Stage::kAfterEhlo;
      scope = queue::Scope::kMessage;
      break;
    case FailureKind::kArgumentsTooLong:
      scope = failure.phase == Phase::kRcptTo ? queue::Scope::kRecipient : queue::Scope::kMessage;
      break;
    case FailureKind::kCertUntrusted:
    case FailureKind::kCertNameMismatch:
      stage = queue::Stage::kTlsHandshake;
      break;
    default:
      break;
  }
  return stamp(queue::transient(std::string(failure_text(failure)), stage, scope), context);
}

}  // namespace impulse::delivery::smtp
