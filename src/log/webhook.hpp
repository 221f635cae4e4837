// Webhook: one `webhook "name" { }` at run time: its disk queue
// (log/webhook_queue.hpp) and the sender that POSTs the queue's events in
// order, in batches, until the receiver acknowledges them (SPEC §17):
//   - a batch is up to batch_size events from the cursor; a partial batch
//     is sent once its first event has waited batch_interval;
//   - a 2xx reply moves the cursor past the batch (durably); anything else
//     (another status, no reply within `timeout`, a connection or TLS
//     failure) keeps it, records last_error, and the same events are sent
//     again after webhook_backoff() (1, 2, 4 ... s up to
//     max_retry_interval). Hence at least once, in order.
//   - append() (the event stream's writer thread) adds events to the disk
//     queue and wakes the sender; when max_backlog_size refuses events, one
//     paniclog line says so, and one more when there is room again.
//
// Leaves to others: which events it gets (log/event_stream.hpp filters by
// `events`), the HTTP exchange (log/webhook_client.hpp).
// Executor: the sender runs on the io_context given to start() (the event
// stream's webhook thread); stop() may be called from any thread and ends
// the sender soon (a POST in flight is interrupted: its events stay queued).
// append() and status() are thread-safe.
// Failure modes: open() fails with an Error for a bad url or an unusable
// directory; run-time failures are last_error / paniclog lines.
// Internal to the log library (includes Asio headers).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "base/clock.hpp"
#include "log/problem_reporter.hpp"
#include "log/webhook_client.hpp"
#include "log/webhook_options.hpp"
#include "log/webhook_queue.hpp"

namespace impulse::log {

class Webhook {
 public:
  // problems and clock must outlive the webhook.
  static Result<std::unique_ptr<Webhook>> open(WebhookOptions options, boost::asio::io_context& io,
                                               ProblemReporter& problems, const Clock& clock);
  ~Webhook();

  bool wants(EventType t) const { return (options_.events & event_bit(t)) != 0; }
  EventMask events() const { return options_.events; }
  const std::string& name() const { return options_.name; }

  void append(std::span<const std::string_view> lines);
  void start();  // spawns the sender on the io_context
  void stop();
  WebhookStatus status() const;

 private:
  Webhook(WebhookOptions options, boost::asio::io_context& io, ProblemReporter& problems, const Clock& clock,
          std::unique_ptr<WebhookQueue> queue, WebhookUrl url, std::shared_ptr<boost::asio::ssl::context> tls);
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> wait_until(boost::asio::steady_timer::time_point when, bool wake_early);
  void record_failure(const std::string& text);
  void wake();  // on the io_context

  const WebhookOptions options_;
  boost::asio::io_context& io_;
  ProblemReporter& problems_;
  const Clock& clock_;
  std::unique_ptr<WebhookQueue> queue_;
  WebhookClient client_;
  boost::asio::steady_timer timer_;  // the sender's waits (batch interval, backoff, idle)
  bool woken_ = false;               // io thread: events arrived since the last wait
  bool waiting_for_events_ = false;  // io thread: a wake() may end the current wait
  bool stopping_ = false;            // io thread
  std::atomic<bool> running_{false};

  mutable std::mutex mu_;  // status fields and the bound's episode
  std::optional<WallTime> last_success_;
  std::string last_error_;
  std::uint64_t sent_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t dropped_in_episode_ = 0;
  bool over_bound_ = false;
  bool append_failing_ = false;
};

}  // namespace impulse::log
