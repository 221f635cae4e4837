// Reporter: where the daemon's own diagnostics go (SPEC §1, §8): stderr,
// and the paniclog once one is configured. Thread-safe. Lines are
// "impulsed: TEXT" on stderr.
#pragma once

#include <mutex>
#include <string>

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

 private:
  std::mutex mu_;
};

}  // namespace impulse::daemon
