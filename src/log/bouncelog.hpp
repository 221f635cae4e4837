// Bouncelog: the bounce_logger writer. Formats records with
// log/bouncelog_format.hpp and appends them to a LogFile, honouring
// bounce_logger's toggles (log_inband_bounces for B records,
// log_transient_failures for T records) and log_hires_timestamp. Without a
// file every call is a no-op.
//
// Leaves to others: classification (protocol/bounce_classify.hpp), the file
// (log/log_file.hpp), heartbeat timing (log/log_set.hpp).
// Threading: thread-safe (const options; LogFile locks).
// Failure modes: none visible; write errors are LogFile's (reported once).
// Spec: SPEC §8; reference/momentum.md §10.1.
#pragma once

#include "log/bouncelog_format.hpp"
#include "log/log_file.hpp"

namespace impulse::log {

struct BouncelogOptions {
  bool log_inband_bounces = true;
  bool log_transient_failures = true;
  TimestampStyle timestamps = TimestampStyle::kSeconds;
};

class Bouncelog {
 public:
  Bouncelog() = default;  // disabled
  Bouncelog(LogFile* file, BouncelogOptions options) : file_(file), options_(options) {}

  bool enabled() const { return file_ != nullptr; }
  void record(const BounceRecord& r) const;  // B or T per r.kind
  void heartbeat(WallTime t) const;

 private:
  LogFile* file_ = nullptr;
  BouncelogOptions options_;
};

}  // namespace impulse::log
