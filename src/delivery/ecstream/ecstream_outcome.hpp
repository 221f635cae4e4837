// The ECSTREAM client's one place where replies and failures become
// queue::Outcomes (docs/architecture.md rule 4; docs/adding-a-delivery-method.md §4).
//
//   REPLY 2xx            delivered (the receiver has it durably)
//   REPLY 4xx            transient, Scope::kMessage, stage 9, its text
//   REPLY 5xx            permanent, Scope::kMessage, stage 9, its text
//   GOAWAY               transient, kMessage: its line ("421 4.3.2
//                        Reconfiguration in progress"): retried, never failed
//   connect refused/timeout, TLS, certificate, no GREETING
//                        transient, Scope::kHost (the manager quarantines
//                        the address), stage 0 or 17
//   connection lost, write failed, no REPLY within ECStream_Timeout,
//   ERROR frame or a bad frame from the receiver
//                        transient, kMessage, stage 8 or 9
//   larger than the receiver's announced maximum
//                        permanent, kMessage (kEcstreamTooBig), nothing sent
// Texts are the receiver's as received or the [internal] catalogue's
// (protocol/internal_replies.hpp). Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/ecstream_frame.hpp"
#include "queue/outcome.hpp"

namespace impulse::delivery::ecstream {

enum class FailureKind {
  kConnectTimeout,
  kConnectFailed,
  kTlsFailed,
  kCertUntrusted,
  kCertNameMismatch,
  kNoGreeting,     // no GREETING in time, or not ECSTREAM (an SMTP server)
  kProtocolError,  // ERROR frame, bad frame, or an unknown seq from the receiver
  kClosed,         // the connection ended before the REPLY
  kSendFailed,     // writing the MESSAGE failed
  kNoResponse,     // no REPLY within ECStream_Timeout
  kTooBig,         // over the receiver's maximum: not sent
};

struct OutcomeContext {
  std::string remote_ip;
  std::string remote_host;
  std::uint64_t bytes_sent = 0;
};

queue::Outcome reply_outcome(const protocol::ecstream::Reply& reply, const OutcomeContext& context);
queue::Outcome goaway_outcome(const protocol::ecstream::Goaway& goaway, const OutcomeContext& context);
queue::Outcome failure_outcome(FailureKind kind, const OutcomeContext& context);

}  // namespace impulse::delivery::ecstream
