// The MM7 transport's one place where answers and failures become outcomes
// (docs/architecture.md rule 4; SPEC §11 "Outcomes", §14 "Response ->
// outcome"):
//   HTTP 401                          -> credentials: transient, queue held
//                                        for Host_Failure_Retry, "401 Unauthorized"
//   SubmitRsp / Fault with a status   -> the status class (protocol/mm7_response.hpp,
//                                        with the MMSC's overrides): delivered
//                                        (remote_id = MessageID), permanent
//                                        (2002/2003 address errors: DSN 5.1.1,
//                                        bouncelog class 10; else 5.0.0) or transient;
//                                        text "<HTTP status> <StatusCode> <StatusText>"
//   anything else (non-2xx without SOAP, a Fault without status, a 2xx that is
//   not a SubmitRsp)                  -> transient "<HTTP status> <reason>";
//                                        Retry-After on 429/503 holds the queue
//   no answer (MM7_Response_Timer, connection lost)
//                                     -> transient 451 4.4.2 [internal]
//   a message MM7 cannot carry        -> permanent 554 5.6.0 [internal] <why>
//   a connection that cannot be opened -> a Scope::kHost open failure
// The shared rules (DSN status, class 10, holds) are delivery/push/push_outcome.hpp's.
// Leaves to others: what a disposition means (the queue), retry timing.
// Pure functions; any thread. Failure modes: none.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "delivery/http1/http1_types.hpp"
#include "delivery/push/push_outcome.hpp"
#include "delivery/transport.hpp"
#include "protocol/mm7_response.hpp"

namespace impulse::delivery::mm7 {

using Mm7Result = push::PushRecipientResult;

struct Mm7Peer {
  std::string address;
  std::string host;
  std::uint64_t bytes_sent = 0;
};

Mm7Result response_outcome(const http1::Http1Response& response, const protocol::Mm7StatusOverrides& overrides,
                           const Mm7Peer& peer, std::chrono::seconds credentials_hold, std::int64_t now_unix);
Mm7Result failure_outcome(const http1::Http1Error& error, const Mm7Peer& peer);
Mm7Result unusable_message(std::string_view why);
SessionOpenFailure open_failure(const http1::Http1Error& error, const Mm7Peer& peer);

}  // namespace impulse::delivery::mm7
