// Implementation of log/event_stream.hpp.
#include "log/event_stream.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "log/webhook.hpp"

namespace impulse::log {

namespace {
constexpr std::size_t kWakeWriterAt = 4096;  // lines queued: write now, not at the next interval
}

struct EventStream::Impl {
  boost::asio::io_context io{1};
  std::vector<std::unique_ptr<Webhook>> webhooks;  // destroyed before io
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
};

EventStream::EventStream(EventStreamOptions options, ProblemReporter& problems)
    : options_(std::move(options)), problems_(problems), impl_(std::make_unique<Impl>()) {}

Result<std::unique_ptr<EventStream>> EventStream::open(EventStreamOptions options, const Clock& clock,
                                                       ProblemReporter& problems) {
  std::unique_ptr<EventStream> s(new EventStream(std::move(options), problems));
  if (!s->options_.json_log.path.empty()) {
    auto f = LogFile::open(s->options_.json_log, &problems);
    if (!f) return unexpected(f.error());
    s->json_file_ = std::move(*f);
    s->wanted_ = kAllEvents;
  }
  for (const auto& w : s->options_.webhooks) {
    auto hook = Webhook::open(w, s->impl_->io, problems, clock);
    if (!hook) return unexpected(hook.error());
    s->wanted_ |= (*hook)->events();
    s->impl_->webhooks.push_back(std::move(*hook));
  }
  return s;
}

EventStream::~EventStream() { stop(); }

void EventStream::emit(const Event& e) {
  if (!wants(e.type)) return;
  std::string line = format_event_json(e);
  bool wake = false;
  std::string report;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (pending_.size() >= options_.max_pending) {
      ++dropped_;
      if (!dropping_)
        report = fmt::format("json events: {} events wait to be written; dropping events until the writer catches up",
                             pending_.size());
      dropping_ = true;
    } else {
      pending_.push_back(Pending{e.type, std::move(line)});
      wake = pending_.size() == kWakeWriterAt;
    }
  }
  if (!report.empty()) problems_.report(report);
  if (wake) cv_.notify_one();
}

void EventStream::start() {
  if (writer_.joinable()) return;
  impl_->work.emplace(impl_->io.get_executor());
  for (auto& w : impl_->webhooks) w->start();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  writer_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void EventStream::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, options_.flush_interval, [this] { return pending_.size() >= kWakeWriterAt; });
    }
    drain();
  }
}

void EventStream::drain() {
  std::lock_guard writing(write_mu_);
  std::vector<Pending> batch;
  std::string report;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    if (dropping_) {
      report = fmt::format("json events: writing again; {} event(s) were dropped", dropped_);
      dropping_ = false;
      dropped_ = 0;
    }
  }
  if (!report.empty()) problems_.report(report);
  if (!batch.empty()) write(batch);
}

void EventStream::write(std::vector<Pending>& batch) {
  if (json_file_) {
    for (const auto& p : batch) json_file_->append(p.line);
    json_file_->flush();
  }
  std::vector<std::string_view> lines;
  lines.reserve(batch.size());
  for (auto& hook : impl_->webhooks) {
    lines.clear();
    for (const auto& p : batch)
      if (hook->wants(p.type)) lines.push_back(p.line);
    hook->append(lines);
  }
}

void EventStream::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
  }
  if (writer_.joinable()) {
    writer_.request_stop();
    writer_.join();
  }
  {
    std::lock_guard lock(mu_);
    stopped_ = true;  // emit() drops from now on; what it queued before is written below
  }
  drain();
  for (auto& w : impl_->webhooks) w->stop();
  impl_->work.reset();
  if (impl_->thread.joinable()) impl_->thread.join();
  if (json_file_) json_file_->flush();
}

Result<void> EventStream::reopen() {
  if (!json_file_) return {};
  return json_file_->reopen();
}

std::vector<WebhookStatus> EventStream::webhook_status() const {
  std::vector<WebhookStatus> out;
  for (const auto& w : impl_->webhooks) out.push_back(w->status());
  return out;
}

}  // namespace impulse::log
