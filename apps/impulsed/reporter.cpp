// Implementation of reporter.hpp.
#include "reporter.hpp"

#include <cstdio>

#include "log/problem_reporter.hpp"

namespace impulse::daemon {

void StderrReporter::write(const std::string& text) {
  {
    std::lock_guard lk(mu_);
    std::fprintf(stderr, "impulsed: %s\n", text.c_str());
    std::fflush(stderr);
  }
  if (auto* p = panic_.load()) p->report(text);
}

void StderrReporter::error(const std::string& text) { write(text); }
void StderrReporter::info(const std::string& text) { write(text); }

}  // namespace impulse::daemon
