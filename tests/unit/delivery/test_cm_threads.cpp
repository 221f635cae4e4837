// The ConnectionManager as the daemon runs it: two event loops on their own
// threads (queues pinned to both), SMTP servers on a third, completions
// applied by the Scheduler. Checks that every message is delivered once,
// that Server_Max_Outbound_Connections holds across loops (the servers count
// concurrent connections), and that stop() ends every connection. No timing
// assertions: the waits have a generous bound only so a bug cannot hang CI.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "test_cm_support.hpp"

namespace impulse::delivery::testing {
namespace {

// Counts D and T records; wakes the test when enough deliveries are logged.
class CountingLog final : public queue::EventLog {
 public:
  void reception(const log::ReceptionRecord&) override {}
  void delivery(const log::DeliveryRecord&) override {
    std::lock_guard lock(mu_);
    ++delivered_;
    cv_.notify_all();
  }
  void transient(const log::FailureRecord&, const log::BounceRecord&) override {
    std::lock_guard lock(mu_);
    ++transient_;
  }
  void permanent(const log::FailureRecord&, const log::BounceRecord&) override {}
  void problem(std::string_view text) override {
    std::lock_guard lock(mu_);
    problems_.emplace_back(text);
  }
  bool wait_delivered(std::size_t n, std::chrono::seconds bound) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, bound, [&] { return delivered_ >= n; });
  }
  std::size_t delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  std::size_t transients() {
    std::lock_guard lock(mu_);
    return transient_;
  }
  std::vector<std::string> problems() {
    std::lock_guard lock(mu_);
    return problems_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t delivered_ = 0, transient_ = 0;
  std::vector<std::string> problems_;
};

TEST(ConnectionManagerThreads, TwoLoopsDeliverEveryMessageWithinTheServerLimit) {
  constexpr std::size_t kServerMax = 3;
  constexpr std::size_t kPerDomain = 60;

  asio::io_context servers_io, loop_a, loop_b;
  auto guard_s = asio::make_work_guard(servers_io);
  auto guard_a = asio::make_work_guard(loop_a);
  auto guard_b = asio::make_work_guard(loop_b);
  auto concurrency = std::make_shared<Concurrency>();
  std::vector<std::unique_ptr<CmSmtpServer>> servers;
  for (int i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<CmSmtpServer>(servers_io, "127.0.0.7" + std::to_string(i), concurrency));

  SystemClock clock;
  spool::MemoryStore store;
  CountingLog log;
  queue::IdSource ids(store.id_epoch());
  routing::DefaultBindingPolicy policy;
  routing::Router router(policy);

  // Six domains over the three servers (two each, sharing their MX host).
  std::vector<std::string> domains;
  std::string text = "Server_Max_Outbound_Connections = " + std::to_string(kServerMax) +
                     "\nConnection_Allocation_Aggressiveness = high\n";
  for (int i = 0; i < 6; ++i) {
    domains.push_back("d" + std::to_string(i) + ".example");
    text += "Domain \"" + domains.back() + "\" { Routes = ( " + route(*servers[i % 3], 10) + " ) }\n";
  }
  config::ConfigPtr config = queue::testing::config_from(text);

  auto made = ConnectionManager::create(ConnectionManagerDeps{
      .loops = {&loop_a, &loop_b},
      .clock = clock,
      .config = [config] { return config; },
      .resolver = [](asio::io_context& loop) -> Result<std::unique_ptr<dns::Resolver>> {
        return no_dns(loop);
      },
      .problem = [&log](std::string_view t) { log.problem(t); },
      .transports = std::nullopt,
      .random_seed = std::nullopt,
      .take_batch = 4,
  });
  ASSERT_TRUE(made.has_value());
  std::unique_ptr<ConnectionManager> cm = std::move(*made);
  auto scheduler = std::make_unique<queue::Scheduler>(queue::SchedulerDeps{.loops = {&loop_a, &loop_b},
                                                                            .store = store,
                                                                            .agent = *cm,
                                                                            .log = log,
                                                                            .clock = clock,
                                                                            .config = [config] { return config; },
                                                                            .ids = ids,
                                                                            .router = router,
                                                                            .hostname = "mta.test"});
  std::set<std::size_t> loops_used;
  for (const auto& d : domains) loops_used.insert(scheduler->loop_index(queue::QueueKey{"default", d}));
  ASSERT_EQ(loops_used.size(), 2u) << "the domains should land on both loops";
  queue::MessageInjector injector(queue::InjectorDeps{store, *scheduler, router, ids, log, clock, "mta.test"});

  std::thread ts([&] { servers_io.run(); });
  std::thread ta([&] { loop_a.run(); });
  std::thread tb([&] { loop_b.run(); });
  cm->start();

  for (std::size_t i = 0; i < kPerDomain; ++i) {
    for (const auto& d : domains) {
      queue::Injection m;
      m.envelope.sender = "sender@origin.test";
      m.envelope.recipients = {"user" + std::to_string(i) + "@" + d};
      m.data = "Subject: t\r\n\r\nbody\r\n";
      m.origin.peer_ip = "127.0.0.1";
      injector.inject(std::move(m), [](Result<std::string> r) { EXPECT_TRUE(r.has_value()); });
    }
  }
  const std::size_t total = kPerDomain * domains.size();
  EXPECT_TRUE(log.wait_delivered(total, std::chrono::seconds(120))) << log.delivered() << " of " << total;

  std::promise<void> stopped;
  cm->stop([&] { stopped.set_value(); });
  EXPECT_EQ(stopped.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(cm->open_connections(), 0);

  std::promise<void> sched_stopped;
  asio::post(loop_a, [&] {
    scheduler->stop();
    sched_stopped.set_value();
  });
  sched_stopped.get_future().wait();
  guard_a.reset();
  guard_b.reset();
  guard_s.reset();
  loop_a.stop();
  loop_b.stop();
  servers_io.stop();
  ta.join();
  tb.join();
  ts.join();

  EXPECT_EQ(log.delivered(), total);
  EXPECT_EQ(log.transients(), 0u);
  EXPECT_LE(concurrency->max_open.load(), kServerMax) << "Server_Max_Outbound_Connections across both loops";
  EXPECT_GE(concurrency->max_open.load(), 1u);
  EXPECT_TRUE(log.problems().empty()) << log.problems().front();
  std::size_t messages = 0;
  for (const auto& s : servers) messages += s->messages().size();
  EXPECT_EQ(messages, total);
}

}  // namespace
}  // namespace impulse::delivery::testing
