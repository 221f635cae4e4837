// WebhookQueue: one webhook's events on disk until its receiver has
// acknowledged them (SPEC §17: "events are kept on disk until
// acknowledged, so a restart or a receiver outage loses none").
//
// Layout of `directory` (one per webhook):
//   0000000000000001.events  append-only segments: one event (a JSON line,
//   0000000000000002.events  log/event_record.hpp) per '\n'-terminated line
//   cursor                   "SEGMENT OFFSET\n": the first byte not yet
//                            acknowledged; replaced with write + fsync +
//                            rename + directory fsync, at most once per
//                            cursor_interval while acknowledgements come
//                            (save_cursor() and the destructor write it at
//                            once), so a crash re-sends at most that much:
//                            at least once, never lost
// Appends go to the newest segment; a new one is started when it passes
// segment_bytes, and at every open (so a torn line left by a crash is never
// appended to: a reader skips an unterminated tail of an older segment).
// Segments wholly before the cursor are deleted when the cursor passes them.
// Each append is fdatasync'ed before append() returns (with sync).
//
// Bound: when the events after the cursor take max_bytes, append()
// refuses further lines (counted as dropped in its result; the caller warns
// in the paniclog) until acknowledgements free space.
//
// Leaves to others: what the lines are (log/event_record.hpp), sending them
// (log/webhook.hpp), when to append (log/event_stream.hpp).
// Threading: thread-safe: append() from the event stream's writer thread,
// read()/acknowledge() from the webhook's sender, status reads anywhere. One
// process per directory.
// Failure modes: open() fails with an Error naming the directory (cannot
// create, unreadable cursor); append(), read() and acknowledge() return an
// Error naming the file on an I/O failure and leave the queue usable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace impulse::log {

struct WebhookQueueOptions {
  std::string directory;
  std::uint64_t max_bytes = std::uint64_t{1} << 30;
  std::uint64_t segment_bytes = std::uint64_t{8} << 20;
  bool sync = true;  // fdatasync every append
  std::chrono::milliseconds cursor_interval{1000};  // 0: save the cursor at every acknowledgement
};

struct QueuePosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  auto operator<=>(const QueuePosition&) const = default;
};

struct QueueBatch {
  std::vector<std::string> events;  // oldest first, without newlines
  QueuePosition end;                // acknowledge(end, events.size()) after sending them
};

struct AppendResult {
  std::size_t appended = 0;
  std::size_t dropped = 0;  // refused by max_bytes
};

class WebhookQueue {
 public:
  static Result<std::unique_ptr<WebhookQueue>> open(WebhookQueueOptions options);
  ~WebhookQueue();
  WebhookQueue(const WebhookQueue&) = delete;
  WebhookQueue& operator=(const WebhookQueue&) = delete;

  Result<AppendResult> append(std::span<const std::string_view> lines);
  Result<AppendResult> append(std::span<const std::string> lines);
  // Up to max_events events from the cursor on (fewer when fewer are there).
  Result<QueueBatch> read(std::size_t max_events) const;
  // The receiver has the events up to `end`: moves the cursor, saves it
  // when cursor_interval has passed since the last save, deletes segments
  // before it. `count` = events between the old and new cursor (the
  // batch's size), for backlog().
  Result<void> acknowledge(QueuePosition end, std::size_t count);
  // Writes the cursor durably now if it moved since the last save.
  Result<void> save_cursor();

  std::uint64_t backlog() const;  // events not yet acknowledged
  std::uint64_t bytes() const;    // bytes of the events not yet acknowledged (the bound's measure)
  QueuePosition cursor() const;
  const std::string& directory() const { return options_.directory; }

 private:
  explicit WebhookQueue(WebhookQueueOptions options) : options_(std::move(options)) {}
  Result<void> load();
  Result<void> start_segment_locked(std::uint64_t number);
  void move_cursor_locked(QueuePosition end, std::size_t count);
  std::string segment_path(std::uint64_t number) const;

  const WebhookQueueOptions options_;
  mutable std::mutex mu_;
  QueuePosition cursor_;
  QueuePosition saved_;                            // the cursor on disk
  std::chrono::steady_clock::time_point saved_at_{};  // when it was written
  std::vector<std::uint64_t> segments_;  // existing segment numbers, ascending
  std::uint64_t current_ = 0;            // segment appended to
  int fd_ = -1;                          // its descriptor
  std::uint64_t current_size_ = 0;
  std::uint64_t bytes_ = 0;    // bytes after the cursor
  std::uint64_t backlog_ = 0;  // lines after the cursor
};

}  // namespace impulse::log
