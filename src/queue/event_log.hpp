// EventLog: what the queue writes to the logs, as one seam
// (docs/architecture.md rule 8):
// mainlog R (reception), D (delivery), T (transient failure, with the
// bouncelog T line), P (permanent failure, with the bouncelog B line), and
// problems for the paniclog. Records are the log library's own
// (log/mainlog_format.hpp, log/bouncelog_format.hpp), filled by the queue.
//
// Implementations: WriterEventLog (queue/writer_event_log.hpp, production:
// the LogSet's writers) and the tests' recording double.
// Leaves to others: formats, files and toggles (log/).
// Threading: every method may be called from any thread (event loops, spool
// writer thread); implementations must be thread-safe and must not throw.
// Records hold string_views valid only during the call.
// Failure modes: none visible to the queue.
// Spec: SPEC §8; reference/momentum.md §10.1.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "log/bouncelog_format.hpp"
#include "log/mainlog_format.hpp"
#include "spool/message.hpp"

namespace impulse::queue {

// A bounce (DSN) was generated for `original_id`, addressed to its sender.
struct BounceEvent {
  WallTime time{};
  std::string bounce_id, original_id;
  std::string_view recipient;  // the original sender
  std::string_view connid;
};

// A listener refused a command of an injection (MAIL, RCPT, DATA, or the
// message itself): SPEC §17 `rejection`.
struct RejectionEvent {
  WallTime time{};
  std::string_view sender, recipient;  // recipient empty when not known
  std::string_view peer;
  std::string_view response;  // the reply sent, e.g. "550 5.7.1 relaying denied"
  std::string_view connid;
};

class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual void reception(const log::ReceptionRecord& r) = 0;  // mainlog R
  virtual void delivery(const log::DeliveryRecord& r) = 0;    // mainlog D
  // mainlog T + bouncelog T (bounce.kind == kTransient).
  virtual void transient(const log::FailureRecord& r, const log::BounceRecord& bounce) = 0;
  // mainlog P + bouncelog B (bounce.kind == kBounce).
  virtual void permanent(const log::FailureRecord& r, const log::BounceRecord& bounce) = 0;
  // A problem worth a paniclog line; text names its subject first.
  virtual void problem(std::string_view text) = 0;
  // Event stream only (no mainlog record): a bounce generated, a refusal at
  // injection. No-ops unless an event stream is attached
  // (queue/event_stream_log.hpp).
  virtual void bounce_generated(const BounceEvent&) {}
  virtual void rejection(const RejectionEvent&) {}
};

// Logs nothing (tools and tests that do not care).
class NullEventLog final : public EventLog {
 public:
  void reception(const log::ReceptionRecord&) override {}
  void delivery(const log::DeliveryRecord&) override {}
  void transient(const log::FailureRecord&, const log::BounceRecord&) override {}
  void permanent(const log::FailureRecord&, const log::BounceRecord&) override {}
  void problem(std::string_view) override {}
};

// One mainlog R record per recipient of a newly accepted (or generated)
// message, stamped `now`.
void log_receptions(EventLog& log, const spool::Message& message, WallTime now, std::string_view connid = {});

}  // namespace impulse::queue
