// What the SMTP client is given: where to connect (SmtpTarget, from the
// routing chooser's ConnectTarget) and what to deliver there (SmtpJob: one
// message's envelope for one attempt, from queue::DeliveryJob and the
// spooled body).
//
// Leaves to others: choosing the target (routing::MxChooser), loading the
// body (DeliveryJob::load_body), per-recipient bookkeeping after the
// attempt (queue). Plain values; any thread; no failure modes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "delivery/smtp/command_format.hpp"
#include "spool/message.hpp"

namespace impulse::delivery::smtp {

struct DaneVerdict;  // dane_policy.hpp

struct SmtpTarget {
  std::string host;     // MX or route host name (Remote-MTA; tls_verify = host)
  std::string address;  // IP literal to connect to ("192.0.2.1", "::1"), or the socket path
  std::uint16_t port = 25;
  std::string domain;   // the queue's domain; tls_verify = host accepts it too
  bool unix_socket = false;  // address is a Unix stream socket path (port and bind_address unused)
  // DANE applies to this host (host_tls.hpp): TLS is mandatory and the
  // certificate must match one of dane->records (none usable: unchecked).
  std::shared_ptr<const DaneVerdict> dane{};
};

struct SmtpJob {
  std::string sender;                   // MAIL FROM path without <>; "" = null sender
  std::vector<std::string> recipients;  // RCPT TO paths without <>; outcomes come in this order
  spool::Body body;                     // CRLF content; null is delivered as an empty body
  OriginalClient client;                // for XCLIENT: the message's peer_ip etc.
  // SMTPUTF8 and DSN (SPEC §19), relayed where the server advertises them;
  // notify/orcpt parallel recipients (shorter = none).
  bool smtputf8 = false;
  std::uint8_t dsn_ret = 0;   // protocol/dsn_params.hpp kRet*
  std::string dsn_envid;      // decoded
  std::vector<std::uint8_t> dsn_notify;
  std::vector<std::string> dsn_orcpt;
};

}  // namespace impulse::delivery::smtp
