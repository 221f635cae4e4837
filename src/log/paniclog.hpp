// Paniclog: the ec_logger paniclog writer and Impulse's ProblemReporter.
// write(text) appends "<time>:<text>" (log/paniclog_format.hpp) stamped
// with the clock's wall time, written through at once (panic events are
// rare and must not sit in a buffer when the daemon dies). Without a file
// it forwards to the fallback reporter (stderr), so a problem is never
// silently lost.
//
// Leaves to others: the file (log/log_file.hpp); deciding what is worth a
// paniclog line (callers; name the subject first, docs/architecture.md
// rule 10).
// Threading: thread-safe (LogFile locks; the clock must be safe to read).
// Failure modes: none visible; if the paniclog file cannot be written, its
// LogFile reports that once to the fallback reporter.
// Spec: reference/momentum.md §10.1.
#pragma once

#include <string_view>

#include "base/clock.hpp"
#include "log/log_file.hpp"
#include "log/paniclog_format.hpp"
#include "log/problem_reporter.hpp"

namespace impulse::log {

class Paniclog final : public ProblemReporter {
 public:
  // file may be null (paniclog not configured); clock and fallback must
  // outlive the Paniclog.
  Paniclog(LogFile* file, const Clock& clock, ProblemReporter& fallback,
           TimestampStyle timestamps = TimestampStyle::kSeconds)
      : file_(file), clock_(&clock), fallback_(&fallback), timestamps_(timestamps) {}

  bool enabled() const { return file_ != nullptr; }
  void write(std::string_view text) const;
  void report(std::string_view text) noexcept override;

 private:
  LogFile* file_;
  const Clock* clock_;  // pointers, not references: a Paniclog is assignable
  ProblemReporter* fallback_;
  TimestampStyle timestamps_;
};

}  // namespace impulse::log
