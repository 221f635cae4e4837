// Reporter: where the daemon's own diagnostics go (SPEC §1, §8): always
// stderr ("impulsed: TEXT"), and the paniclog as soon as the logs are open.
// Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

namespace impulse::log {
class ProblemReporter;
}

namespace impulse::daemon {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void error(const std::string& text) = 0;
  virtual void info(const std::string& text) = 0;
};

class StderrReporter : public Reporter {
 public:
  void error(const std::string& text) override;
  void info(const std::string& text) override;
  // Also send every report to `panic` (nullptr: stderr only). `panic` must
  // stay valid until it is replaced or the reporter is destroyed.
  void set_paniclog(log::ProblemReporter* panic) { panic_.store(panic); }

 private:
  void write(const std::string& text);
  std::mutex mu_;
  std::atomic<log::ProblemReporter*> panic_{nullptr};
};

}  // namespace impulse::daemon
