// Mainlog: the ec_logger mainlog writer. Formats records with
// log/mainlog_format.hpp and appends them to a LogFile, honouring
// ec_logger's toggles (log_receptions, log_deliveries,
// log_transient_failures, log_permanent_failures) and log_hires_timestamp.
// Without a file (mainlog not configured) every call is a no-op.
//
// Leaves to others: the file (log/log_file.hpp), heartbeat timing
// (log/log_set.hpp calls heartbeat()), filling records (queue, inbound).
// Threading: thread-safe (stateless apart from const options; LogFile locks).
// Failure modes: none visible; write errors are LogFile's (reported once).
// Spec: SPEC §8; reference/momentum.md §10.1.
#pragma once

#include "log/log_file.hpp"
#include "log/mainlog_format.hpp"

namespace impulse::log {

struct MainlogOptions {
  bool log_receptions = true;
  bool log_deliveries = true;
  bool log_transient_failures = true;
  bool log_permanent_failures = true;
  TimestampStyle timestamps = TimestampStyle::kSeconds;
};

class Mainlog {
 public:
  Mainlog() = default;  // disabled
  Mainlog(LogFile* file, MainlogOptions options) : file_(file), options_(options) {}

  bool enabled() const { return file_ != nullptr; }
  void reception(const ReceptionRecord& r) const;
  void delivery(const DeliveryRecord& r) const;
  void transient(const FailureRecord& r) const;
  void permanent(const FailureRecord& r) const;
  void heartbeat(WallTime t) const;

 private:
  LogFile* file_ = nullptr;
  MainlogOptions options_;
};

}  // namespace impulse::log
