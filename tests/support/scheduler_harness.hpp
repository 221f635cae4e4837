// Shared fixtures for every test that needs a real scheduler (queue, admin,
// console and connection-manager tests): a recording EventLog, configuration
// from text, and SchedulerHarness: a complete scheduler (two io_contexts
// polled on the test thread, MemoryStore, ManualClock, FakeAgent, injector)
// plus helpers to inject, drain the loops and read the spool back.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "config/config.hpp"
#include "log/bouncelog_format.hpp"
#include "log/mainlog_format.hpp"
#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/injector.hpp"
#include "queue/scheduler.hpp"
#include "routing/router.hpp"
#include "spool/memory_store.hpp"
#include "support/fake_agent.hpp"

namespace impulse::queue::testing {

// The envelope most queue tests inject.
inline const std::string kSender = "alice@sender.example";
inline const std::string kRcpt = "bob@example.com";

// A generated message's header lines unfolded (a CRLF before a space or tab
// removed) and the remaining CRLFs made LFs, for matching with find().
inline std::string unfold(std::string s) {
  for (std::size_t p; (p = s.find("\r\n")) != std::string::npos;) {
    if (p + 2 < s.size() && (s[p + 2] == ' ' || s[p + 2] == '\t'))
      s.erase(p, 2);
    else
      s.replace(p, 2, "\n");
  }
  return s;
}

inline std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto at = line.find('@', start);
    out.push_back(line.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// Keeps every record as the formatted line the real logs would get.
class RecordingLog final : public EventLog {
 public:
  void reception(const log::ReceptionRecord& r) override { add(mainlog, log::format_reception(r)); }
  void delivery(const log::DeliveryRecord& r) override { add(mainlog, log::format_delivery(r)); }
  void transient(const log::FailureRecord& r, const log::BounceRecord& b) override {
    add(mainlog, log::format_transient(r));
    add(bouncelog, log::format_bounce(b));
  }
  void permanent(const log::FailureRecord& r, const log::BounceRecord& b) override {
    add(mainlog, log::format_permanent(r));
    add(bouncelog, log::format_bounce(b));
  }
  void problem(std::string_view text) override { add(problems, std::string(text)); }

  // Mainlog lines of one record type ("R", "D", "T", "P"), split on '@'.
  std::vector<std::vector<std::string>> main_records(const std::string& type) const {
    return records(mainlog, type);
  }
  std::vector<std::vector<std::string>> bounce_records(const std::string& type) const {
    return records(bouncelog, type);
  }

  std::vector<std::string> mainlog, bouncelog, problems;

 private:
  void add(std::vector<std::string>& to, std::string line) {
    std::lock_guard lock(mu_);
    to.push_back(std::move(line));
  }
  static std::vector<std::vector<std::string>> records(const std::vector<std::string>& lines,
                                                       const std::string& type) {
    std::vector<std::vector<std::string>> out;
    for (const auto& l : lines) {
      auto f = fields(l);
      if (f.size() > 4 && f[4] == type) out.push_back(std::move(f));
    }
    return out;
  }
  std::mutex mu_;
};

inline config::ConfigPtr config_from(const std::string& text) {
  auto c = config::load_config_text(text, "test.conf");
  if (!c) {
    std::string all;
    for (const auto& d : c.error()) all += d.message + "\n";
    ADD_FAILURE() << "bad test configuration:\n" << all;
    return nullptr;
  }
  return *c;
}

class SchedulerHarness {
 public:
  static constexpr const char* kHostname = "mta.test";

  explicit SchedulerHarness(const std::string& config_text = "",
                            std::shared_ptr<spool::MemoryDisk> disk = std::make_shared<spool::MemoryDisk>(),
                            spool::MemoryStore::Mode mode = spool::MemoryStore::Mode::kImmediate)
      : store(std::move(disk), mode), ids(store.id_epoch()), router(policy) {
    set_config(config_text);
    ios.push_back(std::make_unique<boost::asio::io_context>());
    ios.push_back(std::make_unique<boost::asio::io_context>());
    scheduler = std::make_unique<Scheduler>(SchedulerDeps{
        .loops = {ios[0].get(), ios[1].get()},
        .store = store,
        .agent = agent,
        .log = log,
        .clock = clock,
        .config = [this] { return config; },
        .ids = ids,
        .router = router,
        .hostname = kHostname,
    });
    injector = std::make_unique<MessageInjector>(InjectorDeps{store, *scheduler, router, ids, log, clock, kHostname});
  }
  ~SchedulerHarness() {
    injector.reset();
    scheduler.reset();
  }

  void set_config(const std::string& text) { config = config_from(text); }

  // Runs every ready handler on every loop until none is left.
  void drain() {
    for (int round = 0; round < 100000; ++round) {
      std::size_t ran = 0;
      for (auto& io : ios) {
        io->restart();
        ran += io->poll();
      }
      if (ran == 0) return;
    }
    ADD_FAILURE() << "event loops never went idle";
  }

  // Injects through the real injector and drains; returns the completion.
  Result<std::string> inject(const std::string& from, std::vector<std::string> rcpts,
                             const std::string& data = "Subject: test\r\n\r\nHello\r\n") {
    Injection m;
    m.origin.helo = "client.example.net";
    m.origin.esmtp = true;
    m.envelope.sender = from;
    m.envelope.recipients = std::move(rcpts);
    m.data = data;
    m.origin.peer_ip = "198.51.100.7";
    std::optional<Result<std::string>> got;
    injector->inject(std::move(m), [&](Result<std::string> r) { got = std::move(r); });
    drain();
    if (!got) return fail("no completion");
    return *got;
  }

  spool::MessageId id_of(const Result<std::string>& r) {
    EXPECT_TRUE(r.has_value());
    return *spool::MessageId::parse(*r);
  }

  // Advances the clock and runs the loops' maintenance (the timer's job).
  void advance(std::chrono::seconds s) {
    clock.advance(s);
    maintain();
  }
  void maintain() {
    scheduler->maintain_now();
    drain();
  }

  std::vector<QueueSizes> sizes(QueueFilter filter = {}) {
    std::vector<QueueSizes> out;
    scheduler->queue_sizes(std::move(filter), [&](std::vector<QueueSizes> s) { out = std::move(s); });
    drain();
    return out;
  }
  QueueSizes size_of(const std::string& domain, const std::string& binding = "default") {
    for (auto& s : sizes())
      if (s.key.domain == domain && s.key.binding == binding) return s;
    return QueueSizes{};
  }

  // Ids of generated bounces (mainlog R records with protocol "internal").
  std::vector<spool::MessageId> bounce_ids() const {
    std::vector<spool::MessageId> out;
    for (const auto& r : log.main_records("R"))
      if (r[11] == "internal") out.push_back(*spool::MessageId::parse(r[1]));
    return out;
  }

  ManualClock clock;
  spool::MemoryStore store;
  RecordingLog log;
  FakeAgent agent;
  IdSource ids;
  routing::DefaultBindingPolicy policy;
  routing::Router router;
  config::ConfigPtr config;
  std::vector<std::unique_ptr<boost::asio::io_context>> ios;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<MessageInjector> injector;
};

}  // namespace impulse::queue::testing
