// The Scheduler with its loops on real threads: injection from one thread,
// two event loops, an agent that completes from a third "delivery" thread.
// Checks that every message is delivered exactly once and the counters add
// up (and gives ThreadSanitizer something to look at). No timing
// assertions: the wait has a generous bound only so a bug cannot hang CI.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "queue/delivery_agent.hpp"
#include "queue/domain_queue.hpp"
#include "queue/event_log.hpp"
#include "queue/id_source.hpp"
#include "queue/injector.hpp"
#include "queue/scheduler.hpp"
#include "routing/router.hpp"
#include "spool/memory_store.hpp"

namespace impulse::queue {
namespace {

// Takes on the queue's loop, delivers on its own thread, completes from there.
class ThreadedAgent final : public DeliveryAgent {
 public:
  explicit ThreadedAgent(boost::asio::io_context& delivery) : delivery_(delivery) {}
  void on_ready(const std::shared_ptr<DomainQueue>& queue) override {
    boost::asio::post(queue->loop(), [this, queue] {
      for (;;) {
        auto jobs = queue->take(4);
        for (auto& job : jobs) {
          boost::asio::post(delivery_, [this, queue, job = std::move(job)]() mutable {
            {
              std::lock_guard lock(mu);
              for (const auto& r : job.recipients) delivered.insert(r.address);
              attempts += job.recipients.size();
            }
            AttemptResult result;
            result.outcomes.assign(job.recipients.size(), queue::delivered("250 ok", "192.0.2.1", 1));
            queue->complete(std::move(job), std::move(result));
          });
        }
        if (jobs.size() < 4) break;
      }
    });
  }
  std::mutex mu;
  std::set<std::string> delivered;
  std::size_t attempts = 0;

 private:
  boost::asio::io_context& delivery_;
};

TEST(SchedulerThreads, EveryMessageIsDeliveredOnceWithLoopsOnTheirOwnThreads) {
  SystemClock clock;
  spool::MemoryStore store;
  NullEventLog log;
  IdSource ids(store.id_epoch());
  routing::DefaultBindingPolicy policy;
  routing::Router router(policy);
  boost::asio::io_context loop_a, loop_b, delivery;
  auto guards = std::make_tuple(boost::asio::make_work_guard(loop_a), boost::asio::make_work_guard(loop_b),
                                boost::asio::make_work_guard(delivery));
  ThreadedAgent agent(delivery);
  {
    Scheduler scheduler(SchedulerDeps{.loops = {&loop_a, &loop_b},
                                      .store = store,
                                      .agent = agent,
                                      .log = log,
                                      .clock = clock,
                                      .config = [] { return config::ConfigPtr(); },
                                      .ids = ids,
                                      .router = router,
                                      .hostname = "mta.test"});
    MessageInjector injector({store, scheduler, router, ids, log, clock, "mta.test"});
    std::thread ta([&] { loop_a.run(); }), tb([&] { loop_b.run(); }), td([&] { delivery.run(); });

    constexpr int kMessages = 400;
    std::atomic<int> acknowledged{0};
    for (int i = 0; i < kMessages; ++i) {
      Injection m;
      m.origin.helo = "c";
      m.envelope.sender = "a@s.example";
      m.envelope.recipients = {"r" + std::to_string(i) + "@d" + std::to_string(i % 13) + ".example"};
      m.data = "Subject: x\r\n\r\nx\r\n";
      m.origin.peer_ip = "127.0.0.1";
      injector.inject(std::move(m), [&](Result<std::string> r) { acknowledged += r.has_value(); });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (scheduler.summary().delivered < kMessages && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();

    loop_a.stop();
    loop_b.stop();
    delivery.stop();
    ta.join();
    tb.join();
    td.join();

    EXPECT_EQ(acknowledged.load(), kMessages);
    auto s = scheduler.summary();
    EXPECT_EQ(s.received, static_cast<std::uint64_t>(kMessages));
    EXPECT_EQ(s.delivered, static_cast<std::uint64_t>(kMessages));
    EXPECT_EQ(s.total(), 0u);
    EXPECT_EQ(agent.attempts, static_cast<std::size_t>(kMessages));
    EXPECT_EQ(agent.delivered.size(), static_cast<std::size_t>(kMessages));
    EXPECT_EQ(store.disk()->message_count(), 0u);
  }
}

}  // namespace
}  // namespace impulse::queue
