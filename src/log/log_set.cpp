// Implementation of log/log_set.hpp.
#include "log/log_set.hpp"

#include <string>

namespace impulse::log {

LogSet::LogSet(const LogSetOptions& options, const Clock& clock, ProblemReporter& fallback)
    : options_(options), clock_(clock), paniclog_(nullptr, clock, fallback) {}

Result<std::unique_ptr<LogSet>> LogSet::open(const LogSetOptions& options, const Clock& clock,
                                             ProblemReporter& fallback) {
  std::unique_ptr<LogSet> set(new LogSet(options, clock, fallback));
  if (!options.paniclog.path.empty()) {
    LogFileOptions o = options.paniclog;
    o.write_through = true;
    auto f = LogFile::open(std::move(o), &fallback);
    if (!f) return unexpected(f.error());
    set->panic_file_ = std::move(*f);
    set->paniclog_ = Paniclog(set->panic_file_.get(), clock, fallback, options.paniclog_timestamps);
  }
  if (!options.mainlog.path.empty()) {
    auto f = LogFile::open(options.mainlog, &set->paniclog_);
    if (!f) return unexpected(f.error());
    set->main_file_ = std::move(*f);
    set->mainlog_ = Mainlog(set->main_file_.get(), options.mainlog_records);
  }
  if (!options.bouncelog.path.empty()) {
    auto f = LogFile::open(options.bouncelog, &set->paniclog_);
    if (!f) return unexpected(f.error());
    set->bounce_file_ = std::move(*f);
    set->bouncelog_ = Bouncelog(set->bounce_file_.get(), options.bouncelog_records);
  }
  // First heartbeats one interval after opening.
  const SteadyTime now = clock.now();
  if (options.mainlog_heartbeat.count() > 0) set->next_main_heartbeat_ = now + options.mainlog_heartbeat;
  if (options.bouncelog_heartbeat.count() > 0) set->next_bounce_heartbeat_ = now + options.bouncelog_heartbeat;
  return set;
}

LogSet::~LogSet() {
  if (ticker_.joinable()) {
    ticker_.request_stop();
    ticker_.join();
  }
  flush();
}

void LogSet::tick() {
  {
    std::lock_guard lock(schedule_mu_);
    const SteadyTime now = clock_.now();
    // One heartbeat per tick at most, even after a long stall; the schedule
    // then resumes from now.
    if (next_main_heartbeat_ && now >= *next_main_heartbeat_) {
      mainlog_.heartbeat(clock_.wall_now());
      next_main_heartbeat_ = now + options_.mainlog_heartbeat;
    }
    if (next_bounce_heartbeat_ && now >= *next_bounce_heartbeat_) {
      bouncelog_.heartbeat(clock_.wall_now());
      next_bounce_heartbeat_ = now + options_.bouncelog_heartbeat;
    }
  }
  flush();
}

void LogSet::flush() {
  if (main_file_) main_file_->flush();
  if (bounce_file_) bounce_file_->flush();
  if (panic_file_) panic_file_->flush();
}

Result<void> LogSet::reopen() {
  std::string failures;
  for (LogFile* f : {panic_file_.get(), main_file_.get(), bounce_file_.get()}) {
    if (!f) continue;
    if (auto r = f->reopen(); !r) {
      paniclog_.report("reopen logs: " + r.error().message);
      if (!failures.empty()) failures += "; ";
      failures += r.error().message;
    }
  }
  if (!failures.empty()) return fail(failures);
  return {};
}

void LogSet::start() {
  if (ticker_.joinable()) return;
  ticker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void LogSet::run(std::stop_token stop) {
  std::unique_lock lock(wake_mu_);
  while (!stop.stop_requested()) {
    // Wakes early only to stop; otherwise after flush_interval.
    wake_.wait_for(lock, stop, options_.flush_interval, [] { return false; });
    if (stop.stop_requested()) break;
    lock.unlock();
    tick();
    lock.lock();
  }
}

}  // namespace impulse::log
