// Scheduler::recover(): after a restart every stored message's pending
// recipients are queued again (SPEC §5), respecting their next attempt;
// finished messages are removed.
#include <gtest/gtest.h>

#include <map>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

spool::Message stored_message(spool::MessageIdGenerator& ids, std::vector<std::string> rcpts) {
  routing::DefaultBindingPolicy policy;
  routing::Router router(policy);
  routing::Envelope e;
  e.id = ids.next();
  e.received = spool::to_spool_time(ManualClock().wall_now() - seconds(30));
  e.sender = "alice@sender.example";
  e.recipients = std::move(rcpts);
  e.peer_ip = "198.51.100.7";
  e.size = 10;
  return router.make_message(std::move(e));
}

void commit(spool::Store& store, spool::Message m) {
  bool ok = false;
  store.commit_new(std::move(m), std::make_shared<const std::string>("Subject: x\r\n\r\nbody\r\n"),
                   [&](Result<void> r) { ok = r.has_value(); });
  ASSERT_TRUE(ok);
}

TEST(Recovery, PendingRecipientsAreQueuedAgainAndFinishedMessagesRemoved) {
  auto disk = std::make_shared<spool::MemoryDisk>();
  const WallTime now = ManualClock().wall_now();
  spool::MessageId due, later, finished, partly;
  {
    spool::MemoryStore old(disk);
    spool::MessageIdGenerator ids(old.id_epoch(), 0);
    auto m1 = stored_message(ids, {"a@example.com"});  // never attempted
    due = m1.id;
    commit(old, m1);
    auto m2 = stored_message(ids, {"b@example.com"});  // retry in the future
    later = m2.id;
    m2.recipients[0].status.retries = 2;
    m2.recipients[0].status.next_attempt = spool::to_spool_time(now + seconds(600));
    m2.recipients[0].status.first_attempt = spool::to_spool_time(now - seconds(20));
    commit(old, m2);
    auto m3 = stored_message(ids, {"c@example.com"});  // done, crash before remove
    finished = m3.id;
    m3.recipients[0].status.state = spool::RecipientState::kDelivered;
    commit(old, m3);
    auto m4 = stored_message(ids, {"d@example.com", "e@example.com"});  // half done, retry overdue
    partly = m4.id;
    m4.recipients[0].status.state = spool::RecipientState::kDelivered;
    m4.recipients[1].status.retries = 1;
    m4.recipients[1].status.next_attempt = spool::to_spool_time(now - seconds(5));
    commit(old, m4);
  }

  SchedulerHarness h("", disk);
  h.agent.auto_run = false;
  auto report = h.scheduler->recover();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->messages, 4u);
  h.drain();

  EXPECT_FALSE(h.store.load_message(finished).has_value());
  EXPECT_EQ(h.store.disk()->message_count(), 3u);
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.active, 2u);
  EXPECT_EQ(s.delayed, 1u);
  EXPECT_EQ(h.scheduler->summary().received, 0u) << "recovery is not reception";
  EXPECT_TRUE(h.log.mainlog.empty());

  ASSERT_EQ(h.agent.ready.size(), 1u);
  auto jobs = h.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id(), due);
  EXPECT_EQ(jobs[0].retries, 0u);
  EXPECT_EQ(jobs[1].id(), partly);
  ASSERT_EQ(jobs[1].recipients.size(), 1u);
  EXPECT_EQ(jobs[1].recipients[0], (QueuedRecipient{1, "e@example.com"}));
  EXPECT_EQ(jobs[1].retries, 1u);

  // Completing the half-done message removes it.
  h.agent.ready[0]->complete(jobs[1], AttemptResult{{FakeAgent::ok()}});
  h.drain();
  EXPECT_FALSE(h.store.load_message(partly).has_value());

  // The future retry waits for its time.
  h.advance(seconds(599));
  EXPECT_EQ(h.size_of("example.com").delayed, 1u);
  h.advance(seconds(1));
  EXPECT_EQ(h.size_of("example.com").delayed, 0u);
  ASSERT_EQ(h.agent.ready.size(), 2u);
  auto retried = h.agent.ready[1]->take(10);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].id(), later);
  EXPECT_EQ(retried[0].retries, 2u);
}

TEST(Recovery, RestartKeepsTheRetryCountAndSchedule) {
  auto disk = std::make_shared<spool::MemoryDisk>();
  spool::MessageId id;
  {
    SchedulerHarness first("retry_interval = 60\n", disk);
    first.agent.script = always(FakeAgent::tempfail());
    id = first.id_of(first.inject("alice@sender.example", {"bob@example.com"}));
    EXPECT_EQ(first.size_of("example.com").delayed, 1u);
  }
  SchedulerHarness second("retry_interval = 60\n", disk);
  ASSERT_TRUE(second.scheduler->recover().has_value());
  second.drain();
  EXPECT_EQ(second.size_of("example.com").delayed, 1u);
  EXPECT_TRUE(second.agent.attempts.empty());
  second.advance(seconds(60));
  ASSERT_EQ(second.agent.attempts.size(), 1u);
  EXPECT_EQ(second.agent.attempts[0].retries, 1u);
  auto ds = second.log.main_records("D");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0][1], id.to_string());
  EXPECT_EQ(ds[0][9], "1");
  EXPECT_FALSE(second.store.load_message(id).has_value());
}

// More messages than one recovery batch (Scheduler::kRecoveryBatch), over
// several domains (so over both loops) and with a message split over two
// queues: every recipient is queued once, each queue keeps spool (id)
// order across batch boundaries, and one delay_dsn_retry_interval read per
// queue still marks the old messages as possibly warned.
TEST(Recovery, ManyMessagesComeBackInBatchesInOrder) {
  auto disk = std::make_shared<spool::MemoryDisk>();
  const std::size_t n = 2 * Scheduler::kRecoveryBatch + 100;
  const std::vector<std::string> domains = {"a.example", "b.example", "c.example"};
  std::map<std::string, std::vector<spool::MessageId>> expected;
  {
    spool::MemoryStore old(disk);
    spool::MessageIdGenerator ids(old.id_epoch(), 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& d = domains[i % domains.size()];
      std::vector<std::string> rcpts = {"r" + std::to_string(i) + "@" + d};
      if (i % 7 == 0) rcpts.push_back("x" + std::to_string(i) + "@split.example");
      auto m = stored_message(ids, rcpts);
      expected[d].push_back(m.id);
      if (rcpts.size() == 2) expected["split.example"].push_back(m.id);
      commit(old, m);
    }
  }
  SchedulerHarness h("delay_dsn_retry_interval = 10\n", disk);
  h.agent.auto_run = false;
  auto report = h.scheduler->recover();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->messages, n);
  h.drain();
  for (const auto& [domain, ids] : expected) {
    EXPECT_EQ(h.size_of(domain).active, ids.size()) << domain;
    std::vector<spool::MessageId> got;
    h.scheduler->show_queue(QueueKey{"default", domain}, ids.size() + 10, 0,
                            [&](std::vector<QueuedMessageInfo> l) {
                              for (const auto& m : l) got.push_back(m.id);
                            });
    h.drain();
    EXPECT_EQ(got, ids) << domain << ": spool order kept across batches";
  }
  // Received 30 s ago, past the 10 s threshold: possibly warned before the restart.
  ASSERT_FALSE(h.agent.ready.empty());
  auto jobs = h.agent.ready[0]->take(1);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].message->delay_warned.load());
}

}  // namespace
}  // namespace impulse::queue::testing
