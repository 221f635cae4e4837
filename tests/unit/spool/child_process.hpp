// Runs a spool helper in a separate process: fork(), then exec of this very
// test binary restricted to the disabled SpoolChildProcess.DISABLED_Helper
// test (child_helper_test.cpp), which reads its job from the environment.
// Exec gives the child a clean process (no RocksDB background threads
// inherited half-alive through fork). The child reports on file descriptor
// kReportFd (a pipe whose read end the parent gets); its stdin is a pipe the
// parent can close to tell it to finish; its stdout goes to /dev/null.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace impulse::spool::testing {

inline constexpr int kReportFd = 100;
inline constexpr const char* kModeVar = "IMPULSE_SPOOL_CHILD_MODE";
inline constexpr const char* kDirVar = "IMPULSE_SPOOL_CHILD_DIR";

class ChildProcess {
 public:
  // Starts the helper in `mode` on spool directory `dir`. pid() is -1 on failure.
  ChildProcess(const std::string& mode, const std::string& dir) {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = '\0';
    // Everything the child needs is prepared before fork(): after it only
    // async-signal-safe calls.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.push_back(std::string(kModeVar) + "=" + mode);
    env_strings.push_back(std::string(kDirVar) + "=" + dir);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string filter = "--gtest_filter=SpoolChildProcess.DISABLED_Helper";
    std::string disabled = "--gtest_also_run_disabled_tests";
    char* argv[] = {exe, filter.data(), disabled.data(), nullptr};

    int report[2], input[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return;
    if (::pipe2(input, O_CLOEXEC) != 0) return;
    int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(input[0], 0);
      ::dup2(devnull, 1);
      ::dup2(report[1], kReportFd);  // dup2 clears close-on-exec on the copy
      ::execve(exe, argv, envp.data());
      ::_exit(127);
    }
    ::close(devnull);
    ::close(report[1]);
    ::close(input[0]);
    report_fd_ = report[0];
    input_fd_ = input[1];
    pid_ = pid;
  }
  ~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (report_fd_ >= 0) ::close(report_fd_);
    close_input();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Next line from the child's reports, without the newline; false at EOF.
  bool read_line(std::string& line) {
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      char chunk[4096];
      ssize_t n = ::read(report_fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  void close_input() {
    if (input_fd_ >= 0) ::close(input_fd_);
    input_fd_ = -1;
  }

  void kill_hard() { ::kill(pid_, SIGKILL); }

  // Waits for the child to end; returns the raw waitpid status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int report_fd_ = -1;
  int input_fd_ = -1;
  std::string buffer_;
};

}  // namespace impulse::spool::testing
