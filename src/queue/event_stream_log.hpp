// EventStreamLog: an EventLog (queue/event_log.hpp) that hands every record
// to another EventLog (the mainlog and bouncelog writers, unchanged) and
// also emits the JSON event stream's events (SPEC §17) to a log::EventSink:
//   reception          <- reception()         (one per recipient)
//   delivery           <- delivery()
//   transient_failure  <- transient()
//   permanent_failure  <- permanent()         (bounce_class from the B line)
//   bounce             <- bounce_generated()
//   rejection          <- rejection()
// Events of a type no consumer wants are not built (EventSink::wants).
//
// Leaves to others: the records' contents (OutcomeHandler, log_receptions,
// MessageInjector), the JSON format (log/event_record.hpp), files and
// webhooks (log/event_stream.hpp).
// Threading: as thread-safe as `inner` and `sink` (both are, in production).
// Both must outlive it. Failure modes: none visible.
// Spec: SPEC §8, §17.
#pragma once

#include "log/event_sink.hpp"
#include "queue/event_log.hpp"

namespace impulse::queue {

class EventStreamLog final : public EventLog {
 public:
  EventStreamLog(EventLog& inner, log::EventSink& sink) : inner_(inner), sink_(sink) {}

  void reception(const log::ReceptionRecord& r) override;
  void delivery(const log::DeliveryRecord& r) override;
  void transient(const log::FailureRecord& r, const log::BounceRecord& bounce) override;
  void permanent(const log::FailureRecord& r, const log::BounceRecord& bounce) override;
  void problem(std::string_view text) override { inner_.problem(text); }
  void bounce_generated(const BounceEvent& b) override;
  void rejection(const RejectionEvent& r) override;

 private:
  void failure(log::EventType type, const log::FailureRecord& r, const log::BounceRecord& bounce);

  EventLog& inner_;
  log::EventSink& sink_;
};

}  // namespace impulse::queue
