// Injection: the one entry point every listener hands an accepted message
// to (SPEC §5 "durable before acknowledged", §6, §15, §16;
// docs/architecture.md "Life of a message": the injector takes a message
// with its origin). ESMTP
// today; the HTTP API (protocol rest) and ECSTREAM (protocol ecstream) call
// the same interface, so every message takes one durable path.
//
// A message to inject is its envelope, its data and its Origin: how it
// arrived (protocol, peer, HELO, TLS, connection, listener) and,
// optionally, a trace line the front end built itself. The implementation
// (queue/injector.hpp MessageInjector) assigns the id, prepends the trace
// line (or builds the Received: header when none is given), makes the
// message durable, logs its R records and queues it.
//
// Leaves to others: the protocol dialogue and its replies (the listener
// answers the client only when the completion says so: `250 ... queued as
// <id>` on a message id, a temporary failure on an Error), who may inject
// (Relay_Hosts, API keys: the listener checks). The data is handed over
// as received: CRLF line ends, dot-unstuffed, nothing added.
//
// Threads: inject() is called on the listener's event loop and must not
// block. The implementation calls `done` exactly once, from any thread,
// only after the message is durable (or has definitely failed); the
// listener posts the result back to its own loop. One Injector serves
// every loop, so implementations are thread-safe.
// Failure modes: spool failures (unwritable, shutting down) reach `done`
// as an Error; nothing is queued or logged then.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "spool/message.hpp"

namespace impulse::queue {

// Where a message came from. Empty strings mean "unknown"; the mainlog R
// record prints an unknown peer as "unknown" (HTTP injection, SPEC §16).
struct Origin {
  spool::Protocol protocol = spool::Protocol::kEsmtp;  // the R record's protocol field
  bool esmtp = true;              // SMTP only: EHLO (true) or HELO; the trace's ESMTP vs SMTP
  std::string peer_ip;            // "192.0.2.7", "::1"; "" = unknown
  std::uint16_t peer_port = 0;    // 0 = unknown
  std::string helo;               // EHLO/HELO argument as sent; "" = none
  bool tls = false;               // received over TLS (after STARTTLS, or an HTTPS listener)
  std::string connection_id;      // the front end's connection id: the R records' connid
  std::string listener_address;   // "127.0.0.1:2525", "[::1]:2525"; "" = unknown
  std::string origin_id;          // the sending node's id of the message (ECSTREAM); "" = none
  // A ready-made trace header field, prepended as given (it must end in
  // CRLF; "" adds nothing, e.g. a message moved between nodes unchanged).
  // nullopt: the injector builds `Received:` (queue/received_header.hpp).
  std::optional<std::string> trace;
};

// The envelope: MAIL FROM and RCPT TO paths without <>.
struct InjectionEnvelope {
  std::string sender;                   // "" = null sender
  std::vector<std::string> recipients;  // accepted forward-paths, in RCPT order
  bool body_8bitmime = false;           // MAIL ... BODY=8BITMIME
  bool smtputf8 = false;                // MAIL ... SMTPUTF8 (RFC 6531)
  std::uint8_t dsn_ret = 0;             // MAIL RET= (protocol/dsn_params.hpp); 0 = none
  std::string dsn_envid;                // MAIL ENVID=, decoded
  // Per recipient, parallel to `recipients` (empty = none given): RCPT
  // NOTIFY bits and ORCPT ("type;address"), RFC 3461.
  std::vector<std::uint8_t> dsn_notify;
  std::vector<std::string> dsn_orcpt;
};

struct Injection {
  InjectionEnvelope envelope;
  std::string data;  // CRLF line ends, dots unstuffed, ends in CRLF unless empty
  Origin origin;
};

class Injector {
 public:
  using Completion = std::function<void(Result<std::string> message_id)>;
  virtual ~Injector() = default;
  virtual void inject(Injection message, Completion done) = 0;
  // The listener refused a command of an injection (MAIL, RCPT, DATA, or the
  // message): recorded in the event stream as `rejection` (SPEC §17).
  // `response` is the reply sent; `recipient` empty when not known. Called
  // on the listener's loop; must not block. Default: nothing.
  virtual void rejected(std::string_view /*sender*/, std::string_view /*recipient*/, const Origin& /*origin*/,
                        std::string_view /*response*/) {}
};

}  // namespace impulse::queue
