// The Received: trace header Impulse prepends to every message it accepts
// unless the front end supplied its own trace line (queue/injection.hpp
// Origin::trace) (RFC 5321 §4.4; protocol keywords per RFC 3848):
//
//   Received: from <helo> ([<ip>])
//   \tby <hostname> with <ESMTP|ESMTPS|SMTP|SMTPS> id <message id>
//   \tfor <<rcpt>>; <RFC 5322 date>
//
// The keyword follows the reception protocol: SMTP as above; HTTP
// injection (rest) "HTTP"/"HTTPS"; ECSTREAM "ECSTREAM"/"ECSTREAMS"; XFER
// "XFER"; a generated message "LOCAL".
//
// "for" only when the message has exactly one recipient (several would
// disclose the others to each). IPv6 peers are written [IPv6:addr]
// (RFC 5321 §4.1.3). The HELO argument is reduced to printable ASCII
// without spaces so a hostile client cannot inject header lines.
//
// Leaves to others: where the header goes (the injector prepends it).
// Threading: pure. Failure modes: none.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "spool/message.hpp"

namespace impulse::queue {

struct TraceFields {
  std::string_view helo;       // as sent; "" = unknown
  std::string_view peer_ip;    // "127.0.0.1", "::1"
  std::string_view hostname;   // ours
  spool::Protocol protocol = spool::Protocol::kEsmtp;
  bool esmtp = true;           // SMTP: EHLO (true) or HELO
  bool tls = false;            // after STARTTLS
  std::string_view message_id;
  std::string_view recipient;  // "" = none (several recipients)
  WallTime date{};
};

// The whole field, folded, ending in CRLF.
std::string received_header(const TraceFields& f);

// The "with" keyword for a reception protocol (see above).
std::string with_keyword(spool::Protocol protocol, bool esmtp, bool tls);

}  // namespace impulse::queue
