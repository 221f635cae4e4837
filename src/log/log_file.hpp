// LogFile: one append-only log file shared by every thread that logs to it.
// Whole lines are appended to an in-memory buffer and written with
// O_APPEND, so lines from different threads never interleave and a file
// rotated by an external tool keeps receiving only complete lines.
//
// Buffering: a line is written when the buffer reaches buffer_limit, at once
// with write_through (the paniclog), on flush(), on reopen() and on
// destruction. The owner calls flush() at least every second (log/log_set.hpp
// does it from its ticker), which bounds how long a line waits.
// Rotation: reopen() (the console's "reopen logs") flushes to the old file,
// then opens the path again, creating it if it was moved away.
// Mode: a file Impulse creates gets exactly options.mode (fchmod, so the
// umask does not narrow it); an existing file keeps its mode.
//
// Leaves to others: record formats (mainlog_format, bouncelog_format,
// paniclog_format); which events are logged; rotation itself.
// Threading: every member function is thread-safe (one mutex per file).
// ProblemReporter calls happen outside that mutex.
// Failure modes: open() and reopen() return an Error naming the file.
// A write error never throws or crashes: the buffered lines are dropped and
// counted, the failure is reported once to the ProblemReporter (paniclog or
// stderr), and once more when writing works again (with the number of lines
// lost). If a failed write left half a line in the file, the next write
// starts on a new line so later records stay whole.
// Spec: reference/momentum.md §10.1 (ec_logger *_mode, reopen logs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "log/problem_reporter.hpp"

namespace impulse::log {

struct LogFileOptions {
  std::string path;
  std::string name = "log";  // "mainlog", "bouncelog", "paniclog": used in reports
  unsigned mode = 0644;      // for a file Impulse creates (mainlog_mode etc.)
  std::size_t buffer_limit = 64 * 1024;
  bool write_through = false;  // write every line at once
};

class LogFile {
 public:
  // Opens (creating if needed) options.path for appending. reporter may be
  // null (problems are then only counted); it must outlive the LogFile.
  static Result<std::unique_ptr<LogFile>> open(LogFileOptions options, ProblemReporter* reporter);

  ~LogFile();  // flushes, then closes
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Appends line and a newline. A newline or CR inside line becomes a space
  // (formatters never produce one; this keeps the file line-oriented anyway).
  void append(std::string_view line);

  // Writes out everything buffered.
  void flush();

  // Flushes, then reopens the path (after rotation). On failure the old
  // descriptor stays in use and the Error says why.
  Result<void> reopen();

  const std::string& path() const { return options_.path; }
  const std::string& name() const { return options_.name; }
  std::uint64_t dropped_lines() const;
  std::size_t buffered_bytes() const;

 private:
  LogFile(LogFileOptions options, ProblemReporter* reporter, int fd);
  void write_buffer_locked(std::string& problem);
  void report(const std::string& problem);

  const LogFileOptions options_;
  ProblemReporter* const reporter_;
  mutable std::mutex mu_;
  int fd_;
  std::string buffer_;
  std::size_t buffered_lines_ = 0;
  std::uint64_t dropped_ = 0;
  bool failing_ = false;    // inside a write-failure episode (already reported)
  bool mid_line_ = false;   // the file ends with part of a line
};

}  // namespace impulse::log
