// What a queue keeps of a message while it waits: the compact, resident part
// of spool::Message (SPEC §5; docs/architecture.md "Life of a message"). Bodies stay in
// the spool and are read when delivering (DeliveryJob::load_body) or
// bouncing; the one exception is the body just received, kept for the first
// attempt only and within a budget (`resident_body`, queue/resident_body.hpp),
// never while the message is delayed or its queue suspended. Everything else
// the logs, the agent (XCLIENT: peer_ip, helo) and a bounce need is here, so
// a waiting message costs a few hundred bytes, not a body.
//
// MessageHead is shared by every queue holding part of one message (a
// message split over several (binding, domain) queues, possibly on several
// loops). It is immutable except `pending`, the count of recipients not yet
// final across all those queues (the queue whose update brings it to zero
// removes the message from the spool), `delay_warned` (set once, by
// exchange), and `resident_body`, taken or released atomically.
//
// Leaves to others: the spooled record (spool/), recipient state in the
// spool (Store::update_recipients).
// Threading: MessageHead is read from any loop; `pending`, `delay_warned`
// and `resident_body` are atomic.
// QueuedRecipient is owned by one queue (one loop).
// Failure modes: none (data).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "queue/resident_body.hpp"
#include "spool/message.hpp"

namespace impulse::queue {

// The flag, RET, ENVID, and per recipient (by QueuedRecipient::index;
// shorter = none) NOTIFY bits and ORCPT.
struct EnvelopeExtensions {
  bool smtputf8 = false;
  std::uint8_t dsn_ret = 0;
  std::string dsn_envid;
  std::vector<std::uint8_t> dsn_notify;
  std::vector<std::string> dsn_orcpt;
};

struct MessageHead {
  spool::MessageId id;
  spool::SpoolTime received{};
  std::uint64_t size = 0;
  std::string sender;  // "" = null sender
  spool::Protocol protocol = spool::Protocol::kEsmtp;
  // A DSN delay warning was sent for this message (one per message and daemon
  // run, queue/dsn_reports.hpp); in protocol's padding.
  mutable std::atomic<bool> delay_warned{false};
  mutable std::atomic<std::uint32_t> pending{0};  // beside protocol: one padded word for both
  std::string peer_ip;  // the injecting client ("unknown" for HTTP, "127.0.0.1" for bounces): XCLIENT ADDR
  std::string helo;     // its EHLO/HELO argument, "" if none: XCLIENT HELO
  // SMTPUTF8 and DSN (SPEC §19; spool::Message's fields); null for the
  // common message without them (queue slots stay small).
  std::unique_ptr<const EnvelopeExtensions> extensions;
  bool smtputf8() const { return extensions && extensions->smtputf8; }
  std::uint8_t dsn_ret() const { return extensions ? extensions->dsn_ret : 0; }
  std::string_view dsn_envid() const { return extensions ? std::string_view(extensions->dsn_envid) : std::string_view(); }
  std::uint8_t notify_of(std::uint32_t index) const {
    return extensions && index < extensions->dsn_notify.size() ? extensions->dsn_notify[index] : 0;
  }
  std::string_view orcpt_of(std::uint32_t index) const {
    return extensions && index < extensions->dsn_orcpt.size() ? std::string_view(extensions->dsn_orcpt[index])
                                                              : std::string_view();
  }
  ResidentBody resident_body;  // the received body for the first attempt, or nothing
};

// One recipient of a queued message: its index in spool::Message::recipients
// (the key for Store::update_recipients) and its address.
struct QueuedRecipient {
  std::uint32_t index = 0;
  std::string address;

  bool operator==(const QueuedRecipient&) const = default;
};

}  // namespace impulse::queue
