// Implementation of queue/event_stream_log.hpp.
#include "queue/event_stream_log.hpp"

#include <string>

namespace impulse::queue {

namespace {

// "local@domain" from a record's split address ("" stays "").
std::string join_address(std::string_view local, std::string_view domain) {
  std::string out(local);
  if (!domain.empty()) (out += '@') += domain;
  return out;
}

}  // namespace

void EventStreamLog::reception(const log::ReceptionRecord& r) {
  inner_.reception(r);
  if (!sink_.wants(log::EventType::kReception)) return;
  const std::string sender = join_address(r.sender_local, r.sender_domain);
  const std::string recipient = join_address(r.rcpt_local, r.rcpt_domain);
  log::Event e;
  e.type = log::EventType::kReception;
  e.time = r.time;
  e.message_id = r.msgid;
  e.sender = sender;
  e.recipient = recipient;
  e.size = r.size;
  e.protocol = r.protocol;
  e.peer = r.peer_ip;
  e.binding = r.binding;
  e.binding_group = r.binding_group;
  sink_.emit(e);
}

void EventStreamLog::delivery(const log::DeliveryRecord& r) {
  inner_.delivery(r);
  if (!sink_.wants(log::EventType::kDelivery)) return;
  log::Event e;
  e.type = log::EventType::kDelivery;
  e.time = r.time;
  e.message_id = r.msgid;
  e.sender = r.sender;
  e.recipient = r.recipient;
  e.domain = r.domain;
  e.binding = r.binding;
  e.binding_group = r.binding_group;
  e.delivery_method = r.delivery_method;
  e.remote_ip = r.remote_ip;
  e.remote_id = r.remote_id;
  e.response = r.response;
  e.attempt = r.retries;
  e.queue_time = r.time - r.received;
  e.size = r.size;
  sink_.emit(e);
}

void EventStreamLog::failure(log::EventType type, const log::FailureRecord& r, const log::BounceRecord& bounce) {
  if (!sink_.wants(type)) return;
  const std::string sender = join_address(bounce.sender_local, bounce.sender_domain);
  const std::string recipient = join_address(bounce.rcpt_local, bounce.rcpt_domain);
  log::Event e;
  e.type = type;
  e.time = r.time;
  e.message_id = r.msgid;
  e.sender = sender;
  e.recipient = recipient;
  e.domain = r.domain;
  e.binding = r.binding;
  e.binding_group = r.binding_group;
  e.delivery_method = r.delivery_method;
  e.remote_ip = r.remote_ip;
  e.remote_id = r.remote_id;
  e.response = r.response;
  e.attempt = r.retries;
  e.queue_time = r.time - r.received;
  e.size = r.size;
  e.bounce_class = bounce.classification;
  sink_.emit(e);
}

void EventStreamLog::transient(const log::FailureRecord& r, const log::BounceRecord& bounce) {
  inner_.transient(r, bounce);
  failure(log::EventType::kTransientFailure, r, bounce);
}

void EventStreamLog::permanent(const log::FailureRecord& r, const log::BounceRecord& bounce) {
  inner_.permanent(r, bounce);
  failure(log::EventType::kPermanentFailure, r, bounce);
}

void EventStreamLog::bounce_generated(const BounceEvent& b) {
  inner_.bounce_generated(b);
  if (!sink_.wants(log::EventType::kBounce)) return;
  log::Event e;
  e.type = log::EventType::kBounce;
  e.time = b.time;
  e.message_id = b.bounce_id;
  e.original_message_id = b.original_id;
  e.recipient = b.recipient;
  sink_.emit(e);
}

void EventStreamLog::rejection(const RejectionEvent& r) {
  inner_.rejection(r);
  if (!sink_.wants(log::EventType::kRejection)) return;
  log::Event e;
  e.type = log::EventType::kRejection;
  e.time = r.time;
  e.sender = r.sender;
  e.recipient = r.recipient;
  e.peer = r.peer;
  e.response = r.response;
  sink_.emit(e);
}

}  // namespace impulse::queue
