// Implementation of spool/rocksdb_info_log.hpp.
#include "spool/rocksdb_info_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

namespace impulse::spool {
namespace {

constexpr std::size_t kMaxLine = 4096;  // longer lines are cut (RocksDB's own logger cuts too)

int open_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

std::size_t file_size(int fd) {
  struct stat st {};
  return fd >= 0 && ::fstat(fd, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

const char* level_name(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::DEBUG_LEVEL: return "[DEBUG] ";
    case rocksdb::InfoLogLevel::WARN_LEVEL: return "[WARN] ";
    case rocksdb::InfoLogLevel::ERROR_LEVEL: return "[ERROR] ";
    case rocksdb::InfoLogLevel::FATAL_LEVEL: return "[FATAL] ";
    default: return "";
  }
}

// "2026/12/06-16:00:56.133674 13375 " (UTC), like RocksDB's own lines.
std::string line_prefix() {
  struct timeval now {};
  ::gettimeofday(&now, nullptr);
  struct tm t {};
  ::gmtime_r(&now.tv_sec, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %ld ", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long>(now.tv_usec),
                static_cast<long>(::syscall(SYS_gettid)));
  return buf;
}

}  // namespace

RocksDbInfoLog::RocksDbInfoLog(std::string path, std::size_t max_bytes, rocksdb::InfoLogLevel level)
    : rocksdb::Logger(level), path_(std::move(path)), max_bytes_(max_bytes == 0 ? 1 : max_bytes) {
  fd_ = open_append(path_);
  size_ = file_size(fd_);
}

RocksDbInfoLog::~RocksDbInfoLog() { (void)Close(); }

rocksdb::Status RocksDbInfoLog::CloseImpl() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return rocksdb::Status::OK();
}

void RocksDbInfoLog::Logv(const char* format, va_list ap) { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

void RocksDbInfoLog::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  std::string line = line_prefix();
  line += level_name(level);
  char text[kMaxLine];
  int n = std::vsnprintf(text, sizeof text, format, ap);
  if (n > 0) line.append(text, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof text - 1));
  if (line.empty() || line.back() != '\n') line += '\n';
  std::lock_guard lock(mu_);
  write_line(line);
}

void RocksDbInfoLog::write_line(const std::string& line) {
  if (closed_) return;
  if (size_ + line.size() > max_bytes_) roll();
  if (fd_ < 0) fd_ = open_append(path_);  // a failed open or roll tries again with each line
  if (fd_ < 0) {
    ++dropped_;
    return;
  }
  // One write: a short or failed one drops the rest of the line (a full
  // disk); the next line starts where the file ends.
  ssize_t n = ::write(fd_, line.data(), line.size());
  if (n < static_cast<ssize_t>(line.size())) ++dropped_;
  if (n > 0) size_ += static_cast<std::size_t>(n);
}

void RocksDbInfoLog::roll() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  (void)::rename(path_.c_str(), (path_ + ".old").c_str());
  fd_ = open_append(path_);
  size_ = file_size(fd_);
}

std::size_t RocksDbInfoLog::GetLogFileSize() const {
  std::lock_guard lock(mu_);
  return size_;
}

std::uint64_t RocksDbInfoLog::dropped_lines() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace impulse::spool
