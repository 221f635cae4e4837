// Implementation of log/log_file.hpp.
#include "log/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

namespace impulse::log {
namespace {

std::string errno_text(int err) { return std::system_category().message(err); }

Result<int> open_for_append(const LogFileOptions& o) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = ::open(o.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, o.mode);
    if (fd >= 0) {
      (void)::fchmod(fd, o.mode);  // exactly the configured mode, whatever the umask
      return fd;
    }
    if (errno != EEXIST) break;
    fd = ::open(o.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != ENOENT) break;  // removed between the two opens: try again
  }
  int err = errno;
  return fail(fmt::format("{} {}: cannot open for appending: {}", o.name, o.path, errno_text(err)), err);
}

struct WriteResult {
  std::size_t written = 0;
  int error = 0;
};

WriteResult write_all(int fd, std::string_view data) {
  WriteResult r;
  while (r.written < data.size()) {
    ssize_t n = ::write(fd, data.data() + r.written, data.size() - r.written);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = errno;
      return r;
    }
    if (n == 0) {
      r.error = EIO;
      return r;
    }
    r.written += static_cast<std::size_t>(n);
  }
  return r;
}

}  // namespace

Result<std::unique_ptr<LogFile>> LogFile::open(LogFileOptions options, ProblemReporter* reporter) {
  if (options.path.empty()) return fail(fmt::format("{}: no file name given", options.name));
  auto fd = open_for_append(options);
  if (!fd) return unexpected(fd.error());
  return std::unique_ptr<LogFile>(new LogFile(std::move(options), reporter, *fd));
}

LogFile::LogFile(LogFileOptions options, ProblemReporter* reporter, int fd)
    : options_(std::move(options)), reporter_(reporter), fd_(fd) {}

LogFile::~LogFile() {
  std::string problem;
  {
    std::lock_guard lock(mu_);
    write_buffer_locked(problem);
    ::close(fd_);
    fd_ = -1;
  }
  report(problem);
}

void LogFile::report(const std::string& problem) {
  if (!problem.empty() && reporter_) reporter_->report(problem);
}

void LogFile::append(std::string_view line) {
  std::string problem;
  {
    std::lock_guard lock(mu_);
    const std::size_t start = buffer_.size();
    buffer_.append(line);
    for (std::size_t i = start; i < buffer_.size(); ++i)
      if (buffer_[i] == '\n' || buffer_[i] == '\r') buffer_[i] = ' ';
    buffer_ += '\n';
    ++buffered_lines_;
    if (options_.write_through || buffer_.size() >= options_.buffer_limit) write_buffer_locked(problem);
  }
  report(problem);
}

void LogFile::flush() {
  std::string problem;
  {
    std::lock_guard lock(mu_);
    write_buffer_locked(problem);
  }
  report(problem);
}

void LogFile::write_buffer_locked(std::string& problem) {
  if (buffer_.empty() || fd_ < 0) return;
  if (mid_line_) buffer_.insert(buffer_.begin(), '\n');
  WriteResult w = write_all(fd_, buffer_);
  if (w.error != 0) {
    dropped_ += buffered_lines_;
    mid_line_ = w.written > 0 && buffer_[w.written - 1] != '\n';
    if (!failing_) {
      failing_ = true;
      problem = fmt::format("{} {}: write failed: {}; log lines are dropped until writing works again",
                            options_.name, options_.path, errno_text(w.error));
    }
  } else {
    mid_line_ = false;
    if (failing_) {
      failing_ = false;
      problem = fmt::format("{} {}: writing works again; {} log lines were dropped so far", options_.name,
                            options_.path, dropped_);
    }
  }
  buffer_.clear();
  buffered_lines_ = 0;
}

Result<void> LogFile::reopen() {
  std::string problem;
  Result<void> result;
  {
    std::lock_guard lock(mu_);
    write_buffer_locked(problem);
    auto fd = open_for_append(options_);
    if (!fd) {
      result = unexpected(fd.error());
    } else {
      ::close(fd_);
      fd_ = *fd;
      mid_line_ = false;  // a new file starts clean
    }
  }
  report(problem);
  return result;
}

std::uint64_t LogFile::dropped_lines() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::size_t LogFile::buffered_bytes() const {
  std::lock_guard lock(mu_);
  return buffer_.size();
}

}  // namespace impulse::log
