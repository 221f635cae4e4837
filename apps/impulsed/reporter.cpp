// Implementation of reporter.hpp.
#include "reporter.hpp"

#include <cstdio>

namespace impulse::daemon {

void StderrReporter::error(const std::string& text) {
  std::lock_guard lk(mu_);
  std::fprintf(stderr, "impulsed: %s\n", text.c_str());
  std::fflush(stderr);
}

void StderrReporter::info(const std::string& text) {
  std::lock_guard lk(mu_);
  std::fprintf(stderr, "impulsed: %s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace impulse::daemon
