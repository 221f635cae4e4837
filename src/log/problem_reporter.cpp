// Implementation of log/problem_reporter.hpp.
#include "log/problem_reporter.hpp"

#include <unistd.h>

#include <cerrno>

namespace impulse::log {

FdReporter::FdReporter(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)) {}

void FdReporter::report(std::string_view text) noexcept {
  try {
    std::string line;
    line.reserve(prefix_.size() + text.size() + 1);
    line.append(prefix_).append(text);
    for (auto& c : line)
      if (c == '\n' || c == '\r') c = ' ';
    line += '\n';
    std::size_t off = 0;
    while (off < line.size()) {
      ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  } catch (...) {
    // Out of memory while reporting: nothing sensible left to do.
  }
}

}  // namespace impulse::log
