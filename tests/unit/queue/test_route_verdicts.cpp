// Route verdicts on the queue side (queue/outcome.hpp Hold,
// DomainQueue::hold / complete / release; SPEC §3 rule 5, §11): the queue
// decides how long a hold lasts, hands nothing out and tells the agent
// nothing while it lasts, writes one paniclog line and no mainlog record per
// message, and lets the console lift it. release() gives a job back without
// an attempt.
#include <gtest/gtest.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

spool::SpoolTime at(const SchedulerHarness& h, seconds from_now) {
  return spool::to_spool_time(h.clock.wall_now() + from_now);
}

spool::RecipientStatus status_of(SchedulerHarness& h, const spool::MessageId& id) {
  auto m = h.store.load_message(id);
  EXPECT_TRUE(m.has_value());
  return m ? m->recipients.at(0).status : spool::RecipientStatus{};
}

Hold queue_hold(std::string reason, seconds at_least = seconds(0), bool to_delayed = false) {
  Hold h;
  h.target = Hold::Target::kQueue;
  h.at_least = at_least;
  h.to_delayed = to_delayed;
  h.reason = std::move(reason);
  return h;
}

// A harness whose agent only records on_ready, with `n` messages queued for
// example.com; returns the queue.
std::shared_ptr<DomainQueue> queued(SchedulerHarness& h, int n, std::vector<spool::MessageId>* ids = nullptr) {
  h.agent.auto_run = false;
  for (int i = 0; i < n; ++i) {
    auto id = h.id_of(h.inject(kSender, {kRcpt}));
    if (ids) ids->push_back(id);
  }
  EXPECT_FALSE(h.agent.ready.empty());
  return h.agent.ready.empty() ? nullptr : h.agent.ready[0];
}

TEST(RouteVerdict, HoldStopsHandOutsAndNotificationsUntilTheRetryInterval) {
  SchedulerHarness h("retry_interval = 120\n");
  auto queue = queued(h, 1);
  ASSERT_TRUE(queue);
  const std::size_t told = h.agent.ready.size();

  queue->hold(queue_hold("421 4.7.0 go away"));
  EXPECT_EQ(queue->held_until(), at(h, seconds(120))) << "at_least 0: the queue's retry_interval";
  EXPECT_EQ(queue->held_reason(), "421 4.7.0 go away");
  EXPECT_TRUE(queue->take(10).empty());
  EXPECT_EQ(queue->waiting(), 0u) << "the agent must see no work";

  h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.agent.ready.size(), told) << "no on_ready while held, even as mail arrives";
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.active, 2u) << "the console still counts what is queued";
  ASSERT_TRUE(s.held_until.has_value());
  EXPECT_EQ(*s.held_until, *queue->held_until());
  EXPECT_EQ(s.held_reason, "421 4.7.0 go away");

  h.advance(seconds(119));
  EXPECT_TRUE(queue->held_until().has_value());
  EXPECT_EQ(h.agent.ready.size(), told);
  EXPECT_TRUE(queue->take(10).empty());

  h.advance(seconds(1));
  EXPECT_FALSE(queue->held_until().has_value()) << "the hold ends at its time";
  EXPECT_TRUE(queue->held_reason().empty());
  EXPECT_FALSE(h.size_of("example.com").held_until.has_value());
  EXPECT_EQ(h.agent.ready.size(), told + 1) << "told once the hold ends";
  EXPECT_EQ(queue->waiting(), 2u);
  EXPECT_EQ(queue->take(10).size(), 2u);
}

TEST(RouteVerdict, AtLeastLongerThanTheRetryIntervalWins) {
  SchedulerHarness h("retry_interval = 60\n");
  auto queue = queued(h, 1);
  ASSERT_TRUE(queue);
  queue->hold(queue_hold("Retry-After: 300", seconds(300)));
  EXPECT_EQ(queue->held_until(), at(h, seconds(300)));
  h.advance(seconds(60));
  EXPECT_TRUE(queue->held_until().has_value()) << "not the retry_interval";
  EXPECT_TRUE(queue->take(10).empty());
  h.advance(seconds(239));
  EXPECT_TRUE(queue->held_until().has_value());
  h.advance(seconds(1));
  EXPECT_FALSE(queue->held_until().has_value());
  EXPECT_EQ(queue->take(10).size(), 1u);
}

TEST(RouteVerdict, AHoldIsExtendedNeverShortened) {
  SchedulerHarness h("retry_interval = 60\n");
  auto queue = queued(h, 1);
  ASSERT_TRUE(queue);
  queue->hold(queue_hold("first", seconds(300)));
  const auto first = at(h, seconds(300));
  queue->hold(queue_hold("shorter", seconds(10)));
  EXPECT_EQ(queue->held_until(), first) << "a shorter hold does not shorten";
  EXPECT_EQ(queue->held_reason(), "first");
  queue->hold(queue_hold("shortest"));  // retry_interval, 60 s
  EXPECT_EQ(queue->held_until(), first);

  h.advance(seconds(100));
  queue->hold(queue_hold("longer", seconds(500)));  // ends at 600 from the start
  EXPECT_EQ(queue->held_until(), at(h, seconds(500)));
  EXPECT_EQ(queue->held_reason(), "longer");
  h.advance(seconds(200));  // 300 from the start: the first hold's time
  EXPECT_TRUE(queue->held_until().has_value()) << "the earlier end no longer applies";
  EXPECT_TRUE(queue->take(10).empty());
  h.advance(seconds(299));
  EXPECT_TRUE(queue->held_until().has_value());
  h.advance(seconds(1));
  EXPECT_FALSE(queue->held_until().has_value());
  EXPECT_EQ(queue->take(10).size(), 1u);
}

TEST(RouteVerdict, ToDelayedMovesTheActiveQueueToDelayedDueAtTheHoldsEnd) {
  SchedulerHarness h("retry_interval = 60\n");
  std::vector<spool::MessageId> ids;
  auto queue = queued(h, 3, &ids);
  ASSERT_TRUE(queue);
  auto in_flight = queue->take(1);
  ASSERT_EQ(in_flight.size(), 1u);
  const std::size_t told = h.agent.ready.size();

  queue->hold(queue_hold("dead domain", seconds(0), true));
  const auto until = at(h, seconds(60));
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.delayed, 2u);
  EXPECT_EQ(s.in_flight, 1u) << "in flight: untouched";
  EXPECT_EQ(s.active, 1u);
  for (const auto& info : queue->list(10, 0)) {
    if (info.state == EntryState::kDelayed) {
      EXPECT_EQ(info.next_attempt, until) << info.id.to_string();
    } else {
      EXPECT_EQ(info.id, ids[0]);
      EXPECT_EQ(info.state, EntryState::kInFlight);
    }
  }
  EXPECT_EQ(status_of(h, ids[1]).retries, 0u) << "nothing written per message";

  h.advance(seconds(60));
  EXPECT_FALSE(queue->held_until().has_value());
  s = h.size_of("example.com");
  EXPECT_EQ(s.delayed, 0u);
  EXPECT_EQ(queue->waiting(), 2u);
  EXPECT_EQ(h.agent.ready.size(), told + 1);
  auto jobs = queue->take(10);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].retries, 0u) << "a hold is not a retry";
}

TEST(RouteVerdict, OnePaniclogLinePerHoldAndNoMainlogRecordsForTheHeldMessages) {
  SchedulerHarness h("retry_interval = 60\n");
  std::vector<spool::MessageId> ids;
  auto queue = queued(h, 3, &ids);
  ASSERT_TRUE(queue);
  const std::size_t mainlog_before = h.log.mainlog.size();
  const std::size_t bouncelog_before = h.log.bouncelog.size();

  queue->hold(queue_hold("no MX reachable", seconds(0), true));
  ASSERT_EQ(h.log.problems.size(), 1u);
  EXPECT_EQ(h.log.problems[0], "default/example.com: queue held for 60 s: no MX reachable");
  queue->hold(queue_hold("credentials refused", seconds(90)));
  ASSERT_EQ(h.log.problems.size(), 2u) << "one line per call";
  EXPECT_EQ(h.log.problems[1], "default/example.com: queue held for 90 s: credentials refused");

  h.advance(seconds(90));
  EXPECT_FALSE(queue->held_until().has_value());
  EXPECT_EQ(h.log.problems.size(), 2u);
  EXPECT_EQ(h.log.mainlog.size(), mainlog_before) << "no T (or any) record per held message";
  EXPECT_EQ(h.log.bouncelog.size(), bouncelog_before);
  EXPECT_TRUE(h.log.main_records("T").empty());
  EXPECT_EQ(h.scheduler->summary().transient_failures, 0u);
  for (const auto& id : ids) EXPECT_EQ(status_of(h, id).retries, 0u);
}

TEST(RouteVerdict, ACompletionCarryingAQueueHoldAppliesItAfterTheOutcomes) {
  SchedulerHarness h("retry_interval = 60\n");
  std::vector<spool::MessageId> ids;
  auto queue = queued(h, 2, &ids);
  ASSERT_TRUE(queue);
  auto jobs = queue->take(1);
  ASSERT_EQ(jobs.size(), 1u);

  AttemptResult result{{FakeAgent::tempfail()}};
  result.hold = queue_hold("Retry-After: 600", seconds(600), true);
  queue->complete(jobs[0], std::move(result));
  EXPECT_FALSE(queue->held_until().has_value()) << "applied on the loop, with the outcomes";
  h.drain();

  auto ts = h.log.main_records("T");
  ASSERT_EQ(ts.size(), 1u) << "the attempted message's T record is written";
  EXPECT_EQ(ts[0][1], ids[0].to_string());
  EXPECT_EQ(status_of(h, ids[0]).retries, 1u);
  EXPECT_EQ(queue->held_until(), at(h, seconds(600)));
  ASSERT_EQ(h.log.problems.size(), 1u);
  EXPECT_EQ(h.log.problems[0], "default/example.com: queue held for 600 s: Retry-After: 600");
  EXPECT_TRUE(queue->take(10).empty());
  std::map<spool::MessageId, spool::SpoolTime> due;
  for (const auto& info : queue->list(10, 0)) due[info.id] = info.next_attempt;
  EXPECT_EQ(due.at(ids[0]), at(h, seconds(60))) << "its retry time is the retry policy's";
  EXPECT_EQ(due.at(ids[1]), at(h, seconds(600))) << "the waiting one follows the hold";
}

TEST(RouteVerdict, AHostHoldIsNotTheQueues) {
  SchedulerHarness h;
  auto queue = queued(h, 2);
  ASSERT_TRUE(queue);
  auto jobs = queue->take(1);
  ASSERT_EQ(jobs.size(), 1u);
  AttemptResult result{{FakeAgent::ok()}};
  result.hold = queue_hold("host quarantined", seconds(600));
  result.hold->target = Hold::Target::kHost;
  result.hold->host = "mx.example.com";
  queue->complete(jobs[0], std::move(result));
  h.drain();
  EXPECT_EQ(h.log.main_records("D").size(), 1u);
  EXPECT_FALSE(queue->held_until().has_value());
  EXPECT_TRUE(h.log.problems.empty());
  EXPECT_EQ(queue->take(10).size(), 1u);
}

TEST(RouteVerdict, ReleasePutsAJobBackAtTheFrontWithoutARecordOrARetry) {
  SchedulerHarness h("retry_interval = 60\n");
  std::vector<spool::MessageId> ids;
  auto queue = queued(h, 3, &ids);
  ASSERT_TRUE(queue);
  const std::size_t told = h.agent.ready.size();
  const std::size_t mainlog_before = h.log.mainlog.size();
  auto first = queue->take(2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id(), ids[0]);

  queue->release(first[1]);
  queue->release(first[0]);
  h.drain();
  EXPECT_EQ(h.log.mainlog.size(), mainlog_before) << "no record";
  EXPECT_EQ(h.agent.ready.size(), told) << "release does not notify";
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.active, 3u);
  EXPECT_EQ(s.delayed, 0u);
  auto counts = h.scheduler->summary();
  EXPECT_EQ(counts.transient_failures, 0u);
  EXPECT_EQ(counts.in_flight, 0u);
  EXPECT_EQ(counts.active, 3u);

  // Back at the front, in the order given back, retries unchanged.
  h.clock.advance(seconds(50));
  auto again = queue->take(3);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].id(), ids[0]);
  EXPECT_EQ(again[1].id(), ids[1]);
  EXPECT_EQ(again[2].id(), ids[2]);
  EXPECT_EQ(again[0].retries, 0u);

  // The first attempt is the one really made, not the released hand-out.
  queue->complete(again[0], AttemptResult{{FakeAgent::tempfail()}});
  h.drain();
  const auto st = status_of(h, ids[0]);
  EXPECT_EQ(st.retries, 1u);
  EXPECT_EQ(st.first_attempt, spool::to_spool_time(h.clock.wall_now()));

  // A job not in flight (released twice) is refused, as a second completion is.
  queue->release(first[1]);
  h.drain();
  ASSERT_EQ(h.log.problems.size(), 1u);
  EXPECT_NE(h.log.problems[0].find("release of a job that is not in flight"), std::string::npos);
  EXPECT_EQ(h.size_of("example.com").in_flight, 2u);
}

TEST(RouteVerdict, MailArrivingDuringAToDelayedHoldWaitsInTheDelayedQueueForItsEnd) {
  SchedulerHarness h("retry_interval = 60\n");
  auto queue = queued(h, 1);
  ASSERT_TRUE(queue);
  queue->hold(queue_hold("dead domain", seconds(0), true));
  const std::size_t told = h.agent.ready.size();

  const auto later = h.id_of(h.inject(kSender, {kRcpt}));
  h.drain();
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.delayed, 2u) << "the new message joins the delayed queue";
  EXPECT_EQ(s.active, 0u);
  ASSERT_TRUE(queue->find(later).has_value());
  EXPECT_EQ(queue->find(later)->next_attempt, at(h, seconds(60))) << "due at the hold's end";
  EXPECT_EQ(h.agent.ready.size(), told) << "the agent is not told while held";

  h.advance(seconds(60));
  s = h.size_of("example.com");
  EXPECT_EQ(s.delayed, 0u);
  EXPECT_EQ(queue->waiting(), 2u);
}

TEST(RouteVerdict, AJobReleasedDuringAToDelayedHoldWaitsForItsEnd) {
  SchedulerHarness h("retry_interval = 60\n");
  auto queue = queued(h, 2);
  ASSERT_TRUE(queue);
  auto jobs = queue->take(2);
  ASSERT_EQ(jobs.size(), 2u);
  AttemptResult result{{FakeAgent::tempfail()}};
  result.hold = queue_hold("dead domain", seconds(300), true);
  queue->complete(jobs[0], std::move(result));
  queue->release(jobs[1]);
  h.drain();
  auto s = h.size_of("example.com");
  EXPECT_EQ(s.delayed, 2u);
  EXPECT_EQ(s.in_flight, 0u);
  auto info = queue->find(jobs[1].id());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->next_attempt, at(h, seconds(300)));
  EXPECT_EQ(info->retries, 0u);
  EXPECT_EQ(h.log.main_records("T").size(), 1u) << "only the attempted message";
}

TEST(RouteVerdict, AJobReleasedWhileSuspendedIsOfferedAgainOnceResumed) {
  SchedulerHarness h;
  auto queue = queued(h, 1);
  ASSERT_TRUE(queue);
  auto jobs = queue->take(1);
  ASSERT_EQ(jobs.size(), 1u);
  h.set_config("suspend_delivery = true\n");
  queue->release(jobs[0]);
  h.drain();
  const std::size_t told = h.agent.ready.size();
  h.maintain();
  EXPECT_EQ(h.agent.ready.size(), told) << "still suspended";
  h.set_config("");
  h.maintain();
  EXPECT_EQ(h.agent.ready.size(), told + 1) << "the maintenance tick notices the lifted suspension";
  EXPECT_EQ(queue->take(10).size(), 1u);
}

TEST(RouteVerdict, FlushAndMessageRetryLiftAHold) {
  SchedulerHarness h("retry_interval = 60\n");
  std::vector<spool::MessageId> ids;
  auto queue = queued(h, 2, &ids);
  ASSERT_TRUE(queue);
  const std::size_t told = h.agent.ready.size();

  queue->hold(queue_hold("dead domain", seconds(3600), true));
  std::optional<std::size_t> flushed;
  h.scheduler->flush(QueueFilter{}, [&](std::size_t n) { flushed = n; });
  h.drain();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, 2u);
  EXPECT_FALSE(queue->held_until().has_value()) << "the operator said: try now";
  EXPECT_EQ(h.agent.ready.size(), told + 1);
  EXPECT_EQ(queue->waiting(), 2u);

  queue->hold(queue_hold("credentials refused", seconds(3600)));
  ASSERT_TRUE(queue->held_until().has_value());
  std::optional<MessageAction> retried;
  h.scheduler->retry_message(ids[1], [&](MessageAction a) { retried = a; });
  h.drain();
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(*retried, MessageAction::kDone);
  EXPECT_FALSE(queue->held_until().has_value());
  EXPECT_EQ(h.agent.ready.size(), told + 2);
  EXPECT_EQ(queue->take(10).size(), 2u);
}

}  // namespace
}  // namespace impulse::queue::testing
