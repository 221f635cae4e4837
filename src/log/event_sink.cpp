// Implementation of log/event_sink.hpp (the channel events' helpers).
#include "log/event_sink.hpp"

namespace impulse::log {

void emit_token_replaced(EventSink& sink, WallTime time, std::string_view message_id, std::string_view recipient,
                         std::string_view new_token) {
  if (!sink.wants(EventType::kTokenReplaced)) return;
  Event e;
  e.type = EventType::kTokenReplaced;
  e.time = time;
  e.message_id = message_id;
  e.recipient = recipient;
  e.new_token = new_token;
  sink.emit(e);
}

void emit_mm7_delivery_report(EventSink& sink, WallTime time, std::string_view message_id,
                              std::string_view remote_id, std::string_view recipient, std::string_view mm7_status) {
  if (!sink.wants(EventType::kMm7DeliveryReport)) return;
  Event e;
  e.type = EventType::kMm7DeliveryReport;
  e.time = time;
  e.message_id = message_id;
  e.remote_id = remote_id;
  e.recipient = recipient;
  e.mm7_status = mm7_status;
  sink.emit(e);
}

}  // namespace impulse::log
