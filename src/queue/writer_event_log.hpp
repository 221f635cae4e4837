// WriterEventLog: the production EventLog: hands the queue's records to the
// log library's writers (mainlog, bouncelog) and problems to a
// ProblemReporter (the paniclog). Typically built from a log::LogSet:
//   WriterEventLog log(set.mainlog(), set.bouncelog(), set.problems());
//
// Leaves to others: formats, toggles, files, heartbeats (log/).
// Threading: thread-safe (the writers are). The writers and the reporter
// must outlive it. Failure modes: none visible (log write errors are the
// log library's).
// Spec: SPEC §8.
#pragma once

#include "log/bouncelog.hpp"
#include "log/mainlog.hpp"
#include "log/problem_reporter.hpp"
#include "queue/event_log.hpp"

namespace impulse::queue {

class WriterEventLog final : public EventLog {
 public:
  WriterEventLog(const log::Mainlog& mainlog, const log::Bouncelog& bouncelog, log::ProblemReporter& problems)
      : mainlog_(mainlog), bouncelog_(bouncelog), problems_(problems) {}

  void reception(const log::ReceptionRecord& r) override;
  void delivery(const log::DeliveryRecord& r) override;
  void transient(const log::FailureRecord& r, const log::BounceRecord& bounce) override;
  void permanent(const log::FailureRecord& r, const log::BounceRecord& bounce) override;
  void problem(std::string_view text) override;

 private:
  const log::Mainlog& mainlog_;
  const log::Bouncelog& bouncelog_;
  log::ProblemReporter& problems_;
};

}  // namespace impulse::queue
