// EventStream: the production EventSink (log/event_sink.hpp): the
// json_logger file and the webhooks of SPEC §17.
//
// emit() formats the event as one JSON line (log/event_record.hpp) on the
// caller's thread and queues it in memory (a vector under a mutex: no I/O
// on the delivery or reception path). A writer thread takes the queued
// lines every flush_interval (at once past 4096 lines) and, in emission
// order, appends them to the json_logger file (log/log_file.hpp) and to the
// disk queue of each webhook whose `events` include the type
// (log/webhook.hpp), which wakes that webhook's sender. The senders run on
// one more thread (an io_context of their own), so slow receivers never
// touch the event loops.
//
// Memory: at most max_pending lines wait in memory (beyond that, events are
// dropped with one paniclog line per episode); a webhook's backlog is on
// disk. stop() (and the destructor) write out what is queued, stop the
// senders and join both threads; events emitted later are dropped.
//
// Leaves to others: which events happen (the queue through
// queue/event_stream_log.hpp, the listeners, channel agents); the
// configuration (apps/impulsed maps json_logger / webhook stanzas to
// EventStreamOptions).
// Threading: emit(), wants(), reopen(), webhook_status() from any thread;
// start() and stop() from the owner.
// Failure modes: open() fails with an Error naming the file or webhook
// (startup failure); write errors are LogFile's (paniclog, counted) and the
// webhooks' (paniclog, last_error).
// Spec: SPEC §17; reference/momentum.md §10.2.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "log/event_sink.hpp"
#include "log/log_file.hpp"
#include "log/problem_reporter.hpp"
#include "log/webhook_options.hpp"

namespace impulse::log {

struct EventStreamOptions {
  LogFileOptions json_log{.path = {}, .name = "json_logger"};  // empty path: no file
  std::vector<WebhookOptions> webhooks;
  std::chrono::milliseconds flush_interval{100};
  std::size_t max_pending = std::size_t{1} << 20;
};

class EventStream final : public EventSink {
 public:
  // clock and problems (the paniclog) must outlive the stream.
  static Result<std::unique_ptr<EventStream>> open(EventStreamOptions options, const Clock& clock,
                                                   ProblemReporter& problems);
  ~EventStream() override;
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void emit(const Event& e) override;
  bool wants(EventType t) const override { return (wanted_ & event_bit(t)) != 0; }
  bool enabled() const { return wanted_ != 0; }

  void start();  // the writer thread and the webhook thread
  void stop();   // writes what is queued, stops the senders, joins
  // Writes what is queued now, on the calling thread (tests; stop()).
  void drain();
  // The json_logger file, for `reopen logs`.
  Result<void> reopen();
  std::vector<WebhookStatus> webhook_status() const;

 private:
  struct Impl;  // the webhooks and their io_context (Asio stays out of this header)
  struct Pending {
    EventType type;
    std::string line;
  };
  EventStream(EventStreamOptions options, ProblemReporter& problems);
  void write(std::vector<Pending>& batch);
  void run(std::stop_token stop);

  const EventStreamOptions options_;
  ProblemReporter& problems_;
  EventMask wanted_ = 0;
  std::unique_ptr<LogFile> json_file_;
  std::unique_ptr<Impl> impl_;

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<Pending> pending_;
  bool stopped_ = false;
  bool dropping_ = false;
  std::uint64_t dropped_ = 0;

  std::mutex write_mu_;  // one writer at a time (thread or drain())
  std::jthread writer_;
};

}  // namespace impulse::log
