// Implementation of admin/message_info.hpp.
#include "admin/message_info.hpp"

namespace impulse::admin {

MessageInfo to_message_info(const queue::QueuedMessageInfo& m) {
  MessageInfo out;
  out.id = m.id.to_string();
  out.binding = m.key.binding;
  out.domain = m.key.domain;
  out.state = m.state;
  out.created = spool::unix_seconds(m.received);
  out.next_attempt = m.state == EntryState::kDelayed ? spool::unix_seconds(m.next_attempt) : 0;
  out.retries = m.retries;
  out.size = m.size;
  out.sender = m.sender;
  out.recipients = m.recipients;
  return out;
}

QueueLine to_queue_line(const queue::QueueSizes& q) {
  QueueLine out;
  out.binding_group = q.binding_group;
  out.binding = q.key.binding;
  out.domain = q.key.domain;
  out.active = q.active;
  out.in_flight = q.in_flight;
  out.delayed = q.delayed;
  out.received = q.received;
  out.delivered = q.delivered;
  out.failed = q.failed;
  out.suspended = q.suspended;
  if (q.held_until) out.held_until = spool::unix_seconds(*q.held_until);
  out.held_reason = q.held_reason;
  return out;
}

}  // namespace impulse::admin
