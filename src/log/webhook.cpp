// Implementation of log/webhook.hpp.
#include "log/webhook.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "log/webhook_backoff.hpp"
#include "runtime/spawn.hpp"

namespace impulse::log {

namespace asio = boost::asio;

Result<std::unique_ptr<Webhook>> Webhook::open(WebhookOptions options, asio::io_context& io,
                                               ProblemReporter& problems, const Clock& clock) {
  auto url = parse_webhook_url(options.url);
  if (!url) return fail("webhook " + options.name + ": " + url.error().message);
  std::shared_ptr<asio::ssl::context> tls;
  if (url->tls) {
    auto ctx = WebhookClient::make_tls_context(options.ca_file);
    if (!ctx) return fail("webhook " + options.name + ": " + ctx.error().message);
    tls = std::move(*ctx);
  }
  auto queue = WebhookQueue::open(options.queue);
  if (!queue) return fail("webhook " + options.name + ": " + queue.error().message);
  if (options.batch_size == 0) options.batch_size = 1;
  return std::unique_ptr<Webhook>(
      new Webhook(std::move(options), io, problems, clock, std::move(*queue), std::move(*url), std::move(tls)));
}

Webhook::Webhook(WebhookOptions options, asio::io_context& io, ProblemReporter& problems, const Clock& clock,
                 std::unique_ptr<WebhookQueue> queue, WebhookUrl url, std::shared_ptr<asio::ssl::context> tls)
    : options_(std::move(options)),
      io_(io),
      problems_(problems),
      clock_(clock),
      queue_(std::move(queue)),
      client_(io.get_executor(), std::move(url), options_.auth_token, options_.timeout, std::move(tls)),
      timer_(io) {}

Webhook::~Webhook() = default;

void Webhook::start() {
  if (running_.exchange(true)) return;
  runtime::spawn(io_.get_executor(), "webhook " + options_.name, run(),
                 {.problems = [this](std::string_view line) { problems_.report(line); }, .on_done = {}});
}

void Webhook::stop() {
  asio::post(io_, [this] {
    stopping_ = true;
    timer_.cancel();
    client_.cancel();
  });
}

void Webhook::wake() {
  woken_ = true;
  if (waiting_for_events_) timer_.cancel();
}

void Webhook::append(std::span<const std::string_view> lines) {
  if (lines.empty()) return;
  auto r = queue_->append(lines);
  std::string report;
  {
    std::lock_guard lock(mu_);
    if (!r) {
      if (!append_failing_) report = fmt::format("webhook {}: cannot queue events: {}", options_.name, r.error().message);
      append_failing_ = true;
      dropped_ += lines.size();
    } else {
      if (append_failing_) report = fmt::format("webhook {}: queueing events works again", options_.name);
      append_failing_ = false;
      if (r->dropped > 0) {
        dropped_ += r->dropped;
        dropped_in_episode_ += r->dropped;
        if (!over_bound_)
          report = fmt::format(
              "webhook {}: backlog reached max_backlog_size ({} bytes in {}): new events are dropped until the "
              "receiver catches up",
              options_.name, options_.queue.max_bytes, options_.queue.directory);
        over_bound_ = true;
      } else if (over_bound_) {
        report = fmt::format("webhook {}: backlog below max_backlog_size again; {} event(s) were dropped",
                             options_.name, dropped_in_episode_);
        over_bound_ = false;
        dropped_in_episode_ = 0;
      }
    }
  }
  if (!report.empty()) problems_.report(report);
  if (r && r->appended > 0) asio::post(io_, [this] { wake(); });
}

WebhookStatus Webhook::status() const {
  WebhookStatus s;
  s.name = options_.name;
  s.backlog = queue_->backlog();
  std::lock_guard lock(mu_);
  s.last_success = last_success_;
  s.last_error = last_error_;
  s.sent = sent_;
  s.dropped = dropped_;
  return s;
}

void Webhook::record_failure(const std::string& text) {
  std::lock_guard lock(mu_);
  last_error_ = text;
}

asio::awaitable<void> Webhook::wait_until(asio::steady_timer::time_point when, bool wake_early) {
  if (stopping_) co_return;
  if (wake_early && woken_) {
    woken_ = false;
    co_return;
  }
  waiting_for_events_ = wake_early;
  timer_.expires_at(when);
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  waiting_for_events_ = false;
  if (wake_early) woken_ = false;
}

asio::awaitable<void> Webhook::run() {
  using steady = std::chrono::steady_clock;
  unsigned failures = 0;
  std::optional<steady::time_point> first_seen;  // when a partial batch was first seen
  while (!stopping_) {
    auto batch = queue_->read(options_.batch_size);
    if (!batch) {
      record_failure(batch.error().message);
      co_await wait_until(steady::now() + webhook_backoff(++failures, options_.max_retry_interval), false);
      continue;
    }
    if (batch->events.empty()) {
      first_seen.reset();
      if (auto saved = queue_->save_cursor(); !saved) record_failure(saved.error().message);  // idle: make it durable
      co_await wait_until(steady::time_point::max(), true);
      continue;
    }
    if (batch->events.size() < options_.batch_size && options_.batch_interval.count() > 0) {
      const auto now = steady::now();
      if (!first_seen) first_seen = now;
      if (now < *first_seen + options_.batch_interval) {
        co_await wait_until(*first_seen + options_.batch_interval, true);
        continue;
      }
    }
    first_seen.reset();
    std::string body = "[";
    for (std::size_t i = 0; i < batch->events.size(); ++i) {
      if (i) body += ',';
      body += batch->events[i];
    }
    body += ']';
    auto status = co_await client_.post(std::move(body));
    if (stopping_) break;
    if (status && *status >= 200 && *status < 300) {
      if (auto ack = queue_->acknowledge(batch->end, batch->events.size()); !ack) {
        record_failure(ack.error().message);
        problems_.report(fmt::format("webhook {}: cannot save the cursor: {}", options_.name, ack.error().message));
        co_await wait_until(steady::now() + webhook_backoff(++failures, options_.max_retry_interval), false);
        continue;
      }
      std::lock_guard lock(mu_);
      last_success_ = clock_.wall_now();
      sent_ += batch->events.size();
      failures = 0;
      continue;
    }
    record_failure(status ? fmt::format("HTTP status {}", *status) : status.error().message);
    co_await wait_until(steady::now() + webhook_backoff(++failures, options_.max_retry_interval), false);
  }
  (void)queue_->save_cursor();
}

}  // namespace impulse::log
