// Console hooks of the Scheduler: flush, fail domain, message retry/fail,
// queue sizes, showqueue, find, summary (SPEC §7; reference/momentum.md §8.2).
#include <gtest/gtest.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

template <class T, class Call>
T ask(SchedulerHarness& h, Call call) {
  std::optional<T> got;
  call([&](T v) { got = std::move(v); });
  h.drain();
  EXPECT_TRUE(got.has_value()) << "completion not called";
  return got ? std::move(*got) : T{};
}

std::size_t flush(SchedulerHarness& h, QueueFilter f) {
  return ask<std::size_t>(h, [&](auto done) { h.scheduler->flush(f, done); });
}
std::size_t fail_queues(SchedulerHarness& h, QueueFilter f, bool quiet) {
  return ask<std::size_t>(h, [&](auto done) { h.scheduler->fail_queues(f, quiet, done); });
}
MessageAction retry(SchedulerHarness& h, spool::MessageId id) {
  return ask<MessageAction>(h, [&](auto done) { h.scheduler->retry_message(id, done); });
}
MessageAction fail_message(SchedulerHarness& h, spool::MessageId id, bool quiet) {
  return ask<MessageAction>(h, [&](auto done) { h.scheduler->fail_message(id, quiet, done); });
}

TEST(ConsoleOps, FlushMovesDelayedMessagesToActiveNow) {
  SchedulerHarness h;
  h.agent.script = always(FakeAgent::tempfail());
  h.inject(kSender, {"a@example.com"});
  h.inject(kSender, {"b@example.com"});
  h.inject(kSender, {"c@other.example"});
  EXPECT_EQ(h.scheduler->summary().delayed, 3u);
  h.agent.script = nullptr;
  EXPECT_EQ(flush(h, QueueFilter{std::nullopt, "Example.COM"}), 2u);
  EXPECT_EQ(h.agent.attempts_for("a@example.com"), 2u);
  EXPECT_EQ(h.agent.attempts_for("c@other.example"), 1u);
  EXPECT_EQ(h.scheduler->summary().delayed, 1u);
  EXPECT_EQ(flush(h, QueueFilter{}), 1u);
  EXPECT_EQ(h.scheduler->summary().total(), 0u);
  EXPECT_EQ(flush(h, QueueFilter{}), 0u);
}

TEST(ConsoleOps, FailDomainPurgesQueuedMessagesWithBounces) {
  SchedulerHarness h("Domain \"sender.example\" { suspend_delivery = true }\n");
  h.agent.script = always(FakeAgent::tempfail());
  auto a = h.id_of(h.inject(kSender, {"a@example.com"}));
  h.agent.auto_run = false;
  auto b = h.id_of(h.inject(kSender, {"b@example.com"}));  // active, never taken
  h.inject(kSender, {"c@other.example"});
  EXPECT_EQ(fail_queues(h, QueueFilter{std::nullopt, "example.com"}, false), 2u);
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 2u);
  for (const auto& p : ps) {
    EXPECT_EQ(p[13], "554 5.7.0 [internal] Message manually purged");
    EXPECT_EQ(p[9], "0");
  }
  EXPECT_EQ(h.log.bounce_records("B")[0][12], "25") << "Admin Failure";
  EXPECT_EQ(h.bounce_ids().size(), 2u);
  EXPECT_FALSE(h.store.load_message(a).has_value());
  EXPECT_FALSE(h.store.load_message(b).has_value());
  EXPECT_EQ(h.size_of("example.com").total(), 0u);
  EXPECT_EQ(h.size_of("other.example").total(), 1u);
  EXPECT_EQ(h.size_of("sender.example").active, 2u) << "bounces queued";
}

TEST(ConsoleOps, FailDomainQuietMakesNoBounceAndLeavesInFlightMessages) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  h.inject(kSender, {"a@example.com"});
  h.inject(kSender, {"b@example.com"});
  auto in_flight = h.agent.ready[0]->take(1);
  ASSERT_EQ(in_flight.size(), 1u);
  EXPECT_EQ(fail_queues(h, QueueFilter{"default", "example.com"}, true), 1u);
  EXPECT_TRUE(h.bounce_ids().empty());
  EXPECT_EQ(h.size_of("example.com").in_flight, 1u);
  h.agent.ready[0]->complete(in_flight[0], AttemptResult{{FakeAgent::ok()}});
  h.drain();
  EXPECT_EQ(h.log.main_records("D").size(), 1u);
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
  EXPECT_EQ(fail_queues(h, QueueFilter{"other-binding", std::nullopt}, true), 0u);
}

TEST(ConsoleOps, MessageRetryRequeuesADelayedMessage) {
  SchedulerHarness h;
  h.agent.script = always(FakeAgent::tempfail());
  auto id = h.id_of(h.inject(kSender, {"a@example.com"}));
  EXPECT_EQ(h.size_of("example.com").delayed, 1u);
  h.agent.script = nullptr;
  EXPECT_EQ(retry(h, id), MessageAction::kDone);
  EXPECT_EQ(h.agent.attempts_for("a@example.com"), 2u);
  EXPECT_FALSE(h.store.load_message(id).has_value());
  EXPECT_EQ(retry(h, id), MessageAction::kNotFound);
}

TEST(ConsoleOps, MessageRetryOfAMessageInFlightSaysSo) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto id = h.id_of(h.inject(kSender, {"a@example.com"}));
  auto jobs = h.agent.ready[0]->take(1);
  EXPECT_EQ(retry(h, id), MessageAction::kInFlight);
  EXPECT_EQ(fail_message(h, id, false), MessageAction::kInFlight);
}

TEST(ConsoleOps, MessageFailFailsEveryQueuedPartOfTheMessage) {
  SchedulerHarness h;
  h.agent.script = always(FakeAgent::tempfail());
  auto id = h.id_of(h.inject(kSender, {"a@example.com", "b@other.example"}));
  h.agent.auto_run = false;
  EXPECT_EQ(fail_message(h, id, false), MessageAction::kDone);
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0][13], "554 manually failed");
  EXPECT_EQ(h.bounce_ids().size(), 2u) << "one bounce per queue";
  EXPECT_FALSE(h.store.load_message(id).has_value());
  EXPECT_EQ(fail_message(h, id, false), MessageAction::kNotFound);
}

TEST(ConsoleOps, MessageFailQuietMakesNoBounce) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto id = h.id_of(h.inject(kSender, {"a@example.com"}));
  EXPECT_EQ(fail_message(h, id, true), MessageAction::kDone);
  EXPECT_EQ(h.log.main_records("P").size(), 1u);
  EXPECT_TRUE(h.bounce_ids().empty());
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
}

TEST(ConsoleOps, QueueSizesShowQueueAndFind) {
  SchedulerHarness h("retry_interval = 100\n");
  h.agent.script = by_domain({{"example.com", FakeAgent::tempfail()}});
  auto delayed = h.id_of(h.inject(kSender, {"a@example.com"}));
  h.agent.auto_run = false;
  h.clock.advance(seconds(5));
  auto active = h.id_of(h.inject("", {"b@example.com", "c@example.com"}));
  h.inject(kSender, {"d@other.example"});

  auto sizes = h.sizes();
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].key, (QueueKey{"default", "example.com"}));
  EXPECT_EQ(sizes[0].active, 1u);
  EXPECT_EQ(sizes[0].delayed, 1u);
  EXPECT_EQ(sizes[0].received, 2u);
  EXPECT_EQ(sizes[1].key, (QueueKey{"default", "other.example"}));
  EXPECT_EQ(h.sizes(QueueFilter{std::nullopt, "other.example"}).size(), 1u);

  auto c = h.scheduler->summary();
  EXPECT_EQ(c.received, 3u);
  EXPECT_EQ(c.active, 2u);
  EXPECT_EQ(c.delayed, 1u);
  EXPECT_EQ(c.total(), 3u);
  EXPECT_EQ(c.transient_failures, 1u);

  auto list = ask<std::vector<QueuedMessageInfo>>(
      h, [&](auto done) { h.scheduler->show_queue(QueueKey{"default", "EXAMPLE.com"}, 100, 0, done); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, active);
  EXPECT_EQ(list[0].state, EntryState::kActive);
  EXPECT_EQ(list[0].sender, "");
  EXPECT_EQ(list[0].recipients, (std::vector<std::string>{"b@example.com", "c@example.com"}));
  EXPECT_EQ(list[1].id, delayed);
  EXPECT_EQ(list[1].state, EntryState::kDelayed);
  EXPECT_EQ(list[1].retries, 1u);
  EXPECT_EQ(list[1].sender, kSender);
  EXPECT_EQ(list[1].next_attempt, spool::to_spool_time(h.clock.wall_now() + seconds(95)));
  auto page = ask<std::vector<QueuedMessageInfo>>(
      h, [&](auto done) { h.scheduler->show_queue(QueueKey{"default", "example.com"}, 1, 1, done); });
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, delayed);

  auto found = ask<std::vector<QueuedMessageInfo>>(h, [&](auto done) { h.scheduler->find_message(delayed, done); });
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].key.domain, "example.com");
  auto none = ask<std::vector<QueuedMessageInfo>>(
      h, [&](auto done) { h.scheduler->find_message(spool::MessageId{9, 9, 9}, done); });
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace impulse::queue::testing

namespace impulse::queue::testing {
namespace {

TEST(SchedulerLifecycle, MaintenanceTimersStartStopAndDieWithTheScheduler) {
  SchedulerHarness h;
  h.scheduler->start();
  h.drain();  // timers armed (15 s): nothing fires during a poll
  h.inject("a@s.example", {"b@example.com"});
  EXPECT_EQ(h.scheduler->summary().delivered, 1u);
  h.scheduler->stop();
  h.drain();  // the cancelled waits complete and touch nothing
  h.scheduler->start();
  h.drain();
  // Destroyed with armed timers: their aborted handlers run after it is gone.
  h.injector.reset();
  h.scheduler.reset();
  h.drain();
}

}  // namespace
}  // namespace impulse::queue::testing
