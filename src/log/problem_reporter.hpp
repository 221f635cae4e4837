// ProblemReporter: where the logging code itself reports trouble (a log file
// that cannot be written, reopened or created). The paniclog is one
// (log/paniclog.hpp); FdReporter writes to a file descriptor, normally
// stderr, and is the last resort for the paniclog's own file.
//
// Leaves to others: what gets reported (log/log_file.hpp decides, once per
// failure episode); deciding to stop the daemon (never done for log trouble).
// Threading: report() may be called from any thread; implementations must
// be thread-safe. FdReporter issues one write() per report, so concurrent
// reports do not interleave within a line (for lines under PIPE_BUF).
// Failure modes: report() never throws and never fails visibly; if stderr
// itself cannot be written the text is lost.
#pragma once

#include <string>
#include <string_view>

namespace impulse::log {

class ProblemReporter {
 public:
  virtual ~ProblemReporter() = default;
  virtual void report(std::string_view text) noexcept = 0;
};

// Writes "<prefix><text>\n" to fd (default: "impulsed: " to stderr). Does not
// own or close fd.
class FdReporter final : public ProblemReporter {
 public:
  explicit FdReporter(int fd = 2, std::string prefix = "impulsed: ");
  void report(std::string_view text) noexcept override;

 private:
  int fd_;
  std::string prefix_;
};

}  // namespace impulse::log
