// Implementation of log/webhook_queue.hpp.
#include "log/webhook_queue.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

namespace impulse::log {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".events";

std::string errno_text(int e) { return std::strerror(e); }

Error io_error(const std::string& what, const std::string& path, int e) {
  return Error{fmt::format("{} {}: {}", what, path, errno_text(e)), e};
}

std::optional<std::uint64_t> segment_number(const std::string& name) {
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::uint64_t n = 0;
  const char* end = name.data() + name.size() - kSuffix.size();
  auto [p, ec] = std::from_chars(name.data(), end, n);
  if (ec != std::errc() || p != end) return std::nullopt;
  return n;
}

Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return unexpected(io_error("cannot write", path, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return unexpected(io_error("cannot open", dir, errno));
  const int r = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (r != 0) return unexpected(io_error("cannot sync", dir, e));
  return {};
}

std::uint64_t file_size(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

// Calls on_line(line, end_offset) for each complete line from `offset` on,
// until it returns false. Returns the offset after the last line consumed.
template <class OnLine>
Result<std::uint64_t> scan_lines(const std::string& path, std::uint64_t offset, OnLine on_line) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return offset;
    return unexpected(io_error("cannot open", path, errno));
  }
  std::string carry;
  std::uint64_t pos = offset;       // file offset of carry's start
  std::uint64_t read_at = offset;   // next byte to read
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(read_at));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return unexpected(io_error("cannot read", path, e));
    }
    if (n == 0) break;
    read_at += static_cast<std::uint64_t>(n);
    carry.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (;;) {
      const std::size_t nl = carry.find('\n', start);
      if (nl == std::string::npos) break;
      const std::uint64_t end = pos + nl + 1;
      if (!on_line(std::string_view(carry).substr(start, nl - start), end)) {
        ::close(fd);
        return end;
      }
      start = nl + 1;
    }
    pos += start;
    carry.erase(0, start);
  }
  ::close(fd);
  return pos;
}

}  // namespace

Result<std::unique_ptr<WebhookQueue>> WebhookQueue::open(WebhookQueueOptions options) {
  std::unique_ptr<WebhookQueue> q(new WebhookQueue(std::move(options)));
  if (auto r = q->load(); !r) return unexpected(r.error());
  return q;
}

WebhookQueue::~WebhookQueue() {
  (void)save_cursor();
  if (fd_ >= 0) ::close(fd_);
}

std::string WebhookQueue::segment_path(std::uint64_t number) const {
  return fmt::format("{}/{:016}{}", options_.directory, number, kSuffix);
}

Result<void> WebhookQueue::load() {
  std::error_code ec;
  fs::create_directories(options_.directory, ec);
  if (ec) return fail(fmt::format("cannot create {}: {}", options_.directory, ec.message()), ec.value());
  const std::string cursor_path = options_.directory + "/cursor";
  if (fs::exists(cursor_path, ec)) {
    const int fd = ::open(cursor_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return unexpected(io_error("cannot open", cursor_path, errno));
    char buf[128];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    unsigned long long seg = 0, off = 0;
    if (n <= 0 || (buf[n] = '\0', std::sscanf(buf, "%llu %llu", &seg, &off) != 2))
      return fail(fmt::format("{}: unreadable cursor", cursor_path));
    cursor_ = {seg, off};
    saved_ = cursor_;
  }
  for (const auto& entry : fs::directory_iterator(options_.directory, ec))
    if (auto n = segment_number(entry.path().filename().string())) segments_.push_back(*n);
  if (ec) return fail(fmt::format("cannot list {}: {}", options_.directory, ec.message()), ec.value());
  std::sort(segments_.begin(), segments_.end());
  std::erase_if(segments_, [this](std::uint64_t s) {
    if (s >= cursor_.segment) return false;
    ::unlink(segment_path(s).c_str());
    return true;
  });
  for (std::uint64_t s : segments_) {
    const std::string path = segment_path(s);
    const std::uint64_t size = file_size(path);
    bytes_ += s == cursor_.segment ? size - std::min(size, cursor_.offset) : size;
    auto scanned = scan_lines(path, s == cursor_.segment ? cursor_.offset : 0, [this](std::string_view, std::uint64_t) {
      ++backlog_;
      return true;
    });
    if (!scanned) return unexpected(scanned.error());
  }
  // Never append to a segment a crash may have left with a torn line.
  return start_segment_locked(segments_.empty() ? std::max<std::uint64_t>(cursor_.segment, 1)
                                                : segments_.back() + 1);
}

Result<void> WebhookQueue::start_segment_locked(std::uint64_t number) {
  const std::string path = segment_path(number);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return unexpected(io_error("cannot create", path, errno));
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  current_ = number;
  current_size_ = file_size(path);
  if (segments_.empty() || segments_.back() != number) segments_.push_back(number);
  if (options_.sync) (void)sync_directory(options_.directory);
  return {};
}

Result<AppendResult> WebhookQueue::append(std::span<const std::string> lines) {
  std::vector<std::string_view> views(lines.begin(), lines.end());
  return append(std::span<const std::string_view>(views));
}

Result<AppendResult> WebhookQueue::append(std::span<const std::string_view> lines) {
  std::lock_guard lock(mu_);
  AppendResult result;
  std::string data;
  data.reserve(4096);
  for (const std::string_view line : lines) {
    if (bytes_ + data.size() + line.size() + 1 > options_.max_bytes) {
      ++result.dropped;
      continue;
    }
    data += line;
    data += '\n';
    ++result.appended;
  }
  if (data.empty()) return result;
  if (current_size_ >= options_.segment_bytes)
    if (auto r = start_segment_locked(current_ + 1); !r) return unexpected(r.error());
  const std::string path = segment_path(current_);
  if (auto w = write_all(fd_, data, path); !w) {
    (void)start_segment_locked(current_ + 1);  // keep a torn line out of later appends
    return unexpected(w.error());
  }
  if (options_.sync && ::fdatasync(fd_) != 0) return unexpected(io_error("cannot sync", path, errno));
  current_size_ += data.size();
  bytes_ += data.size();
  backlog_ += result.appended;
  return result;
}

Result<QueueBatch> WebhookQueue::read(std::size_t max_events) const {
  std::vector<std::uint64_t> segments;
  QueuePosition pos;
  {
    std::lock_guard lock(mu_);
    segments = segments_;
    pos = cursor_;
  }
  QueueBatch batch;
  batch.end = pos;
  if (max_events == 0) return batch;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::uint64_t seg = segments[i];
    if (seg < pos.segment) continue;
    if (seg > pos.segment) pos = {seg, 0};
    auto end = scan_lines(segment_path(seg), pos.offset, [&](std::string_view line, std::uint64_t) {
      batch.events.emplace_back(line);
      return batch.events.size() < max_events;
    });
    if (!end) return unexpected(end.error());
    pos.offset = *end;
    batch.end = pos;
    if (batch.events.size() >= max_events) break;
    // An unterminated tail of an older segment (a crash mid-write) is skipped
    // by moving on to the next segment.
  }
  return batch;
}

Result<void> WebhookQueue::save_cursor() {
  QueuePosition at;
  {
    std::lock_guard lock(mu_);
    if (cursor_ == saved_) return {};
    at = cursor_;
  }
  const std::string path = options_.directory + "/cursor";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return unexpected(io_error("cannot create", tmp, errno));
  auto w = write_all(fd, fmt::format("{} {}\n", at.segment, at.offset), tmp);
  if (w && options_.sync && ::fsync(fd) != 0) w = unexpected(io_error("cannot sync", tmp, errno));
  ::close(fd);
  if (!w) return w;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return unexpected(io_error("cannot rename", tmp, errno));
  if (options_.sync)
    if (auto s = sync_directory(options_.directory); !s) return s;
  std::lock_guard lock(mu_);
  saved_ = at;
  saved_at_ = std::chrono::steady_clock::now();
  return {};
}

Result<void> WebhookQueue::acknowledge(QueuePosition end, std::size_t count) {
  bool save = false;
  {
    std::lock_guard lock(mu_);
    move_cursor_locked(end, count);
    save = std::chrono::steady_clock::now() - saved_at_ >= options_.cursor_interval;
  }
  if (save) return save_cursor();
  return {};
}

void WebhookQueue::move_cursor_locked(QueuePosition end, std::size_t count) {
  // Bytes between the old cursor and the new one leave the bound.
  std::uint64_t freed = 0;
  for (std::uint64_t s : segments_) {
    if (s < cursor_.segment || s > end.segment) continue;
    const std::uint64_t from = s == cursor_.segment ? cursor_.offset : 0;
    const std::uint64_t to = s == end.segment ? end.offset : file_size(segment_path(s));
    if (to > from) freed += to - from;
  }
  bytes_ -= std::min(freed, bytes_);
  cursor_ = end;
  backlog_ -= std::min<std::uint64_t>(count, backlog_);
  // Only events already acknowledged go: a crash before the cursor is saved
  // finds the saved cursor in a deleted segment and goes on from the next.
  std::erase_if(segments_, [&](std::uint64_t s) {
    if (s >= end.segment || s == current_) return false;
    return ::unlink(segment_path(s).c_str()) == 0 || errno == ENOENT;
  });
}

std::uint64_t WebhookQueue::backlog() const {
  std::lock_guard lock(mu_);
  return backlog_;
}

std::uint64_t WebhookQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

QueuePosition WebhookQueue::cursor() const {
  std::lock_guard lock(mu_);
  return cursor_;
}

}  // namespace impulse::log
