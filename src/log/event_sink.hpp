// EventSink: where an event of the JSON event stream (log/event_record.hpp)
// is handed. The queue (queue/event_stream_log.hpp), the ESMTP listener
// (rejections, through the injector) and channel agents (token_replaced,
// mm7_delivery_report) emit through it; the production sink is
// log::EventStream (log/event_stream.hpp), which formats the line at once
// and writes it to the json_logger file and the webhooks' disk queues from
// its own thread.
//
// Threading: emit() is called from any thread (event loops, the spool
// writer thread), on hot paths: implementations must be thread-safe, must
// not block on I/O and must not throw. The Event's string_views are valid
// only during the call.
// Failure modes: none visible to the emitter.
// Spec: SPEC §17.
#pragma once

#include "log/event_record.hpp"

namespace impulse::log {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const Event& e) = 0;
  // True when some consumer wants events of this type: emitters may skip
  // building an Event otherwise.
  virtual bool wants(EventType) const { return true; }
};

class NullEventSink final : public EventSink {
 public:
  void emit(const Event&) override {}
  bool wants(EventType) const override { return false; }
};

// The channel events others emit (SPEC §13, §14): helpers that fill the
// Event for the sink.
void emit_token_replaced(EventSink& sink, WallTime time, std::string_view message_id, std::string_view recipient,
                         std::string_view new_token);
void emit_mm7_delivery_report(EventSink& sink, WallTime time, std::string_view message_id,
                              std::string_view remote_id, std::string_view recipient, std::string_view mm7_status);

}  // namespace impulse::log
