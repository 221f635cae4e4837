// Injector: where a listener hands a received message (SPEC §5 "durable
// before acknowledged", §6). The ESMTP session calls inject() after the
// final dot and answers the client only when the completion says so:
// `250 2.0.0 Ok: queued as <id>` on a message id, `451 4.3.0 <reason>` on an
// Error (spool unwritable, shutting down, ...).
//
// Leaves to the implementation (spool + router, wired in impulsed): message
// ids, the Received: trace header if one is wanted, splitting per domain,
// durability. The listener adds nothing to the data.
//
// Threads: inject() is called on the session's event loop and must not
// block. The implementation must call `done` exactly once, from any thread,
// only after the message is durable (or has definitely failed); the
// listener posts the result back to the session's loop itself. One Injector
// serves every loop, so it must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace impulse::inbound {

struct ReceivedMessage {
  std::string helo;                     // EHLO/HELO argument as sent
  bool esmtp = false;                   // EHLO (true) or HELO (false)
  std::string mail_from;                // reverse-path without <>; "" = null sender
  std::vector<std::string> recipients;  // accepted forward-paths, in RCPT order
  bool body_8bitmime = false;           // MAIL ... BODY=8BITMIME
  std::string data;                     // CRLF line ends, dots unstuffed, ends in CRLF unless empty
  std::string peer_ip;                  // "127.0.0.1", "::1"
  std::uint16_t peer_port = 0;
  std::string listener_address;         // "127.0.0.1:2525", "[::1]:2525"
  bool tls = false;                     // received after STARTTLS
  std::string connection_id;            // the session's id, for the mainlog's connid field
};

class Injector {
 public:
  using Completion = std::function<void(Result<std::string> message_id)>;
  virtual ~Injector() = default;
  virtual void inject(ReceivedMessage message, Completion done) = 0;
};

}  // namespace impulse::inbound
