// LogSet: the daemon's logs as one object: opens the configured mainlog,
// bouncelog and paniclog, hands out their writers, flushes buffers at least
// every flush_interval, writes the heartbeats (time@@@@M in the mainlog,
// time@@@@M1 in the bouncelog) every heartbeat interval, and reopens every
// file for the console's "reopen logs".
//
// tick() does the periodic work once; start() runs a background thread that
// calls it every flush_interval (real time; tests call tick() themselves
// with a ManualClock instead). The destructor stops that thread and flushes.
//
// Leaves to others: mapping configuration (ec_logger / bounce_logger
// stanzas) to LogSetOptions (apps/impulsed); record contents (callers).
// Threading: writers and problems() may be used from any thread; tick(),
// reopen() and flush() too (each file has its own lock, the heartbeat
// schedule its own). start() once, from the owning thread.
// Failure modes: open() fails with an Error naming the file that cannot be
// opened (a startup failure). reopen() tries every file and returns one Error
// listing those that failed (those keep writing to their old descriptor);
// failures are also reported to problems(). Write errors: see log_file.hpp.
// Spec: SPEC §8; reference/momentum.md §10.1 (heartbeat = 60).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "log/bouncelog.hpp"
#include "log/log_file.hpp"
#include "log/mainlog.hpp"
#include "log/paniclog.hpp"
#include "log/problem_reporter.hpp"

namespace impulse::log {

struct LogSetOptions {
  // An empty path disables that log. Names default to the log's role.
  LogFileOptions mainlog{.path = {}, .name = "mainlog"};
  LogFileOptions bouncelog{.path = {}, .name = "bouncelog"};
  LogFileOptions paniclog{.path = {}, .name = "paniclog"};
  MainlogOptions mainlog_records;
  BouncelogOptions bouncelog_records;
  TimestampStyle paniclog_timestamps = TimestampStyle::kSeconds;
  std::chrono::seconds mainlog_heartbeat{60};    // ec_logger heartbeat; 0 = none
  std::chrono::seconds bouncelog_heartbeat{60};  // bounce_logger heartbeat; 0 = none
  std::chrono::milliseconds flush_interval{1000};
};

class LogSet {
 public:
  // clock and fallback (normally an FdReporter on stderr) must outlive the set.
  static Result<std::unique_ptr<LogSet>> open(const LogSetOptions& options, const Clock& clock,
                                              ProblemReporter& fallback);
  ~LogSet();
  LogSet(const LogSet&) = delete;
  LogSet& operator=(const LogSet&) = delete;

  const Mainlog& mainlog() const { return mainlog_; }
  const Bouncelog& bouncelog() const { return bouncelog_; }
  const Paniclog& paniclog() const { return paniclog_; }
  // Where trouble goes: the paniclog (stderr when it is not configured).
  ProblemReporter& problems() { return paniclog_; }

  // Writes due heartbeats, then flushes every file.
  void tick();
  void flush();
  Result<void> reopen();

  // Starts the background thread calling tick() every flush_interval.
  void start();

 private:
  LogSet(const LogSetOptions& options, const Clock& clock, ProblemReporter& fallback);
  void run(std::stop_token stop);

  const LogSetOptions options_;
  const Clock& clock_;
  // Declaration order matters: the paniclog outlives the files reporting to it.
  std::unique_ptr<LogFile> panic_file_;
  Paniclog paniclog_;
  std::unique_ptr<LogFile> main_file_;
  std::unique_ptr<LogFile> bounce_file_;
  Mainlog mainlog_;
  Bouncelog bouncelog_;

  std::mutex schedule_mu_;
  std::optional<SteadyTime> next_main_heartbeat_;
  std::optional<SteadyTime> next_bounce_heartbeat_;

  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread ticker_;  // last member: stopped and joined first
};

}  // namespace impulse::log
