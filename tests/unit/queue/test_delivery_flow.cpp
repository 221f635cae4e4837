// Scheduler + DomainQueue + OutcomeHandler: what happens to a message after
// each kind of outcome (SPEC §5, §8): delivered, transient (back-off, retry
// limits, expiry), permanent (bounces), suspension, agent mistakes.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;

spool::RecipientStatus status_of(SchedulerHarness& h, const spool::MessageId& id, std::size_t rcpt = 0) {
  auto m = h.store.load_message(id);
  EXPECT_TRUE(m.has_value());
  return m ? m->recipients.at(rcpt).status : spool::RecipientStatus{};
}

spool::SpoolTime at(const SchedulerHarness& h, seconds from_now) {
  return spool::to_spool_time(h.clock.wall_now() + from_now);
}

// Captures bounce bodies as the agent "delivers" them (through load_body, as
// a real agent would), and tempfails everything in `tempfail_domains`.
struct CapturingScript {
  std::map<std::string, std::string>* bodies;
  std::vector<std::string> tempfail_domains;
  Outcome operator()(const DeliveryJob& job, const QueuedRecipient&) const {
    if (job.sender().empty()) {
      auto b = job.load_body();
      if (b) (*bodies)[job.id().to_string()] = **b;
    }
    for (const auto& d : tempfail_domains)
      if (job.key.domain == d) return FakeAgent::tempfail();
    return FakeAgent::ok();
  }
};

TEST(DeliveryFlow, DeliveredRecipientIsLoggedAndTheMessageRemoved) {
  SchedulerHarness h;
  auto id = h.id_of(h.inject(kSender, {kRcpt}));
  ASSERT_EQ(h.agent.attempts.size(), 1u);
  EXPECT_EQ(h.agent.attempts[0].recipient, kRcpt);
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
  EXPECT_FALSE(h.store.load_message(id).has_value());

  auto ds = h.log.main_records("D");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0][1], id.to_string());
  EXPECT_EQ(ds[0][3], "conn-1");
  EXPECT_EQ(ds[0][5], "example.com");
  EXPECT_EQ(ds[0][8], "default");
  EXPECT_EQ(ds[0][9], "0");
  EXPECT_EQ(ds[0][11], "192.0.2.25");
  EXPECT_TRUE(h.log.bouncelog.empty());

  auto c = h.scheduler->summary();
  EXPECT_EQ(c.delivered, 1u);
  EXPECT_EQ(c.total(), 0u);
  EXPECT_EQ(h.size_of("example.com").total(), 0u);
}

TEST(DeliveryFlow, MessageSplitOverDomainsIsRemovedOnlyWhenEveryRecipientIsFinal) {
  SchedulerHarness h;
  h.agent.script = by_domain({{"other.example", FakeAgent::tempfail()}});
  auto id = h.id_of(h.inject(kSender, {kRcpt, "dave@other.example"}));
  auto m = h.store.load_message(id);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->recipients[0].status.state, spool::RecipientState::kDelivered);
  EXPECT_EQ(m->recipients[1].status.state, spool::RecipientState::kPending);
  EXPECT_EQ(m->recipients[1].status.retries, 1u);
  EXPECT_EQ(h.size_of("other.example").delayed, 1u);

  h.agent.script = nullptr;  // everything delivered from now on
  h.advance(seconds(1200));
  EXPECT_EQ(h.agent.attempts_for("dave@other.example"), 2u);
  EXPECT_FALSE(h.store.load_message(id).has_value());
  EXPECT_EQ(h.log.main_records("D").size(), 2u);
  EXPECT_EQ(h.scheduler->summary().total(), 0u);
}

TEST(DeliveryFlow, TransientFailureBacksOffExponentiallyUpToTheCap) {
  SchedulerHarness h("retry_interval = 60\nmax_retry_interval = 200\n");
  h.agent.script = always(FakeAgent::tempfail());
  auto id = h.id_of(h.inject(kSender, {kRcpt}));
  ASSERT_EQ(h.agent.attempts_for(kRcpt), 1u);
  EXPECT_EQ(h.size_of("example.com").delayed, 1u);
  EXPECT_EQ(h.size_of("example.com").active, 0u);
  auto st = status_of(h, id);
  EXPECT_EQ(st.retries, 1u);
  EXPECT_EQ(st.next_attempt, at(h, seconds(60)));
  EXPECT_EQ(st.last_reply, "451 4.3.0 Try again later");
  EXPECT_EQ(st.state, spool::RecipientState::kPending);

  // Waits: 60, 120, 200 (240 capped), 200.
  const int waits[] = {60, 120, 200, 200};
  for (int n = 0; n < 4; ++n) {
    h.advance(seconds(waits[n] - 1));
    EXPECT_EQ(h.agent.attempts_for(kRcpt), static_cast<std::size_t>(n + 1)) << "retry " << n + 1 << " too early";
    h.advance(seconds(1));
    EXPECT_EQ(h.agent.attempts_for(kRcpt), static_cast<std::size_t>(n + 2)) << "retry " << n + 1 << " not made";
    EXPECT_EQ(h.agent.attempts.back().retries, static_cast<std::uint32_t>(n + 1));
  }
  EXPECT_EQ(status_of(h, id).next_attempt, at(h, seconds(200)));

  auto ts = h.log.main_records("T");
  ASSERT_EQ(ts.size(), 5u);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    EXPECT_EQ(ts[i][1], id.to_string());
    EXPECT_EQ(ts[i][5], "example.com");
    EXPECT_EQ(ts[i][9], "9");  // stage: reading confirmation
    EXPECT_EQ(ts[i][10], std::to_string(i));  // retries before this attempt
    EXPECT_EQ(ts[i][13], "451 4.3.0 Try again later");
  }
  auto bts = h.log.bounce_records("T");
  ASSERT_EQ(bts.size(), 5u);
  EXPECT_EQ(bts[0][5], "bob");
  EXPECT_EQ(bts[0][6], "example.com");
  EXPECT_EQ(bts[0][7], "alice");
  EXPECT_EQ(bts[0][8], "sender.example");
  EXPECT_EQ(bts[0][12], "70");  // Transient Failure
  EXPECT_EQ(h.scheduler->summary().transient_failures, 5u);
  EXPECT_TRUE(h.log.main_records("P").empty());
  EXPECT_EQ(h.store.disk()->message_count(), 1u);
}

TEST(DeliveryFlow, MaxRetriesAllowsNPlusOneAttemptsThenBounces) {
  SchedulerHarness h("retry_interval = 10\nmax_retries = 2\n");
  std::map<std::string, std::string> bounces;
  h.agent.script = CapturingScript{&bounces, {"example.com"}};
  auto id = h.id_of(h.inject(kSender, {kRcpt}));
  h.advance(seconds(10));
  h.advance(seconds(20));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 3u);
  h.advance(seconds(40));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 3u) << "no fourth attempt";

  const std::string text = "554 5.4.7 [internal] exceeded max retries without delivery";
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0][1], id.to_string());
  EXPECT_EQ(ps[0][10], "2");
  EXPECT_EQ(ps[0][13], text);
  auto bs = h.log.bounce_records("B");
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0][5], "bob");
  EXPECT_EQ(bs[0][15], text);
  EXPECT_EQ(h.log.main_records("T").size(), 2u);
  EXPECT_EQ(h.scheduler->summary().failed, 1u);
  EXPECT_FALSE(h.store.load_message(id).has_value()) << "original removed";

  // The bounce: a new message to the sender, null envelope sender, delivered
  // through the sender's domain queue like any other.
  auto bounce_ids = h.bounce_ids();
  ASSERT_EQ(bounce_ids.size(), 1u);
  const auto bounce_id = bounce_ids[0];
  EXPECT_NE(bounce_id, id);
  auto rs = h.log.main_records("R");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[1][5], "alice");
  EXPECT_EQ(rs[1][6], "sender.example");
  EXPECT_EQ(rs[1][7], "");
  EXPECT_EQ(rs[1][8], "");
  EXPECT_EQ(h.agent.attempts_for(kSender), 1u);
  EXPECT_EQ(h.agent.attempts.back().key, (QueueKey{"default", "sender.example"}));
  EXPECT_EQ(h.agent.attempts.back().sender, "");
  ASSERT_EQ(bounces.count(bounce_id.to_string()), 1u);
  const std::string dsn = unfold(bounces[bounce_id.to_string()]);
  EXPECT_NE(dsn.find("From: mailer-daemon@mta.test\n"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("To: alice@sender.example\n"), std::string::npos);
  EXPECT_NE(dsn.find("Content-Type: multipart/report; report-type=delivery-status"), std::string::npos);
  EXPECT_NE(dsn.find("X-Impulse-Message-Id: " + id.to_string() + "\n"), std::string::npos);
  EXPECT_NE(dsn.find("Final-Recipient: rfc822; bob@example.com\n"), std::string::npos);
  EXPECT_NE(dsn.find("Action: failed\n"), std::string::npos);
  EXPECT_NE(dsn.find("Status: 5.4.7\n"), std::string::npos);
  EXPECT_NE(dsn.find("Diagnostic-Code: smtp; " + text + "\n"), std::string::npos);
  EXPECT_NE(dsn.find("Content-Type: text/rfc822-headers"), std::string::npos) << "headers inlined by default";
  EXPECT_NE(dsn.find("Subject: test\n"), std::string::npos);
  EXPECT_EQ(dsn.find("Hello"), std::string::npos) << "body not inlined with bounces_inline_original = headers";
  EXPECT_EQ(h.store.disk()->message_count(), 0u) << "bounce delivered and removed";
}

TEST(DeliveryFlow, ExpiryFailsWithMaxTimeTextAndBounces) {
  SchedulerHarness h("retry_interval = 60\nmessage_expiration = 100\n");
  std::map<std::string, std::string> bounces;
  h.agent.script = CapturingScript{&bounces, {"example.com"}};
  auto id = h.id_of(h.inject(kSender, {kRcpt}));
  h.advance(seconds(60));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 2u);
  // The next retry would fall after expiry: it is made at the expiry instant.
  EXPECT_EQ(status_of(h, id).next_attempt, at(h, seconds(40)));
  h.advance(seconds(40));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 3u);

  const std::string text = "554 5.4.7 [internal] exceeded max time without delivery";
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0][13], text);
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string dsn = unfold(bounces[h.bounce_ids()[0].to_string()]);
  EXPECT_NE(dsn.find("Diagnostic-Code: smtp; " + text + "\n"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("Status: 5.4.7\n"), std::string::npos);
  EXPECT_FALSE(h.store.load_message(id).has_value());
}

TEST(DeliveryFlow, PermanentReplyIsLoggedClassifiedAndBounced) {
  SchedulerHarness h;
  std::map<std::string, std::string> bounces;
  h.agent.script = [&](const DeliveryJob& job, const QueuedRecipient& r) {
    CapturingScript capture{&bounces, {}};
    Outcome o = capture(job, r);
    return job.key.domain == "example.com" ? FakeAgent::rejected() : o;
  };
  auto id = h.id_of(h.inject(kSender, {kRcpt, "carol@example.com"}));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 1u);
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0][9], "5");  // after RCPT TO
  EXPECT_EQ(ps[0][12], "192.0.2.25");
  EXPECT_EQ(ps[0][13], "550 5.1.1 <nobody%40example.com>: Recipient address rejected");
  auto bs = h.log.bounce_records("B");
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(bs[0][12], "10");  // Invalid Recipient
  EXPECT_EQ(bs[0][14], "192.0.2.25");

  // One bounce for both recipients of the attempt.
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string dsn = unfold(bounces[h.bounce_ids()[0].to_string()]);
  EXPECT_NE(dsn.find("Final-Recipient: rfc822; bob@example.com\n"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("Final-Recipient: rfc822; carol@example.com\n"), std::string::npos);
  EXPECT_NE(dsn.find("Status: 5.1.1\n"), std::string::npos);
  EXPECT_NE(dsn.find("Remote-MTA: dns; mx.example.com\n"), std::string::npos);
  EXPECT_NE(dsn.find("Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address rejected\n"),
            std::string::npos);
  EXPECT_FALSE(h.store.load_message(id).has_value());
}

TEST(DeliveryFlow, NullSenderFailureMakesNoBounce) {
  SchedulerHarness h;
  h.agent.script = always(FakeAgent::rejected());
  auto id = h.id_of(h.inject("", {kRcpt}));
  EXPECT_EQ(h.log.main_records("P").size(), 1u);
  EXPECT_TRUE(h.bounce_ids().empty());
  EXPECT_EQ(h.agent.attempts.size(), 1u);
  EXPECT_FALSE(h.store.load_message(id).has_value());
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
}

TEST(DeliveryFlow, GenerateBouncesFalseMakesNoBounce) {
  SchedulerHarness h("generate_bounces = false\n");
  h.agent.script = always(FakeAgent::rejected());
  h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.log.main_records("P").size(), 1u);
  EXPECT_EQ(h.log.bounce_records("B").size(), 1u) << "still logged in the bouncelog";
  EXPECT_TRUE(h.bounce_ids().empty());
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
}

TEST(DeliveryFlow, BouncesInlineOriginalAllCarriesTheWholeMessage) {
  SchedulerHarness h("bounces_inline_original = all\n");
  std::map<std::string, std::string> bounces;
  h.agent.script = [&](const DeliveryJob& job, const QueuedRecipient& r) {
    Outcome o = CapturingScript{&bounces, {}}(job, r);
    return job.key.domain == "example.com" ? FakeAgent::rejected() : o;
  };
  h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string dsn = bounces[h.bounce_ids()[0].to_string()];
  EXPECT_NE(dsn.find("Content-Type: message/rfc822"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("\r\nHello\r\n"), std::string::npos);
}

TEST(DeliveryFlow, NeverRetryMakesTheFirstTransientFailurePermanentInItsScopeOnly) {
  SchedulerHarness h("Domain \"example.com\" { never_retry = true }\n");
  h.agent.script = always(FakeAgent::tempfail());
  auto id = h.id_of(h.inject(kSender, {kRcpt, "dave@other.example"}));
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0][5], "example.com");
  EXPECT_EQ(ps[0][13], "554 5.4.7 [internal] exceeded max retries without delivery");
  EXPECT_EQ(h.size_of("other.example").delayed, 1u) << "other domains keep retrying";
  EXPECT_EQ(status_of(h, id, 0).state, spool::RecipientState::kFailed);
  EXPECT_EQ(status_of(h, id, 1).state, spool::RecipientState::kPending);
  EXPECT_EQ(h.bounce_ids().size(), 1u);
}

TEST(DeliveryFlow, SuspendedDomainKeepsItsMessagesQueuedUntilResumed) {
  SchedulerHarness h("Domain \"example.com\" { suspend_delivery = true }\n");
  auto id = h.id_of(h.inject(kSender, {kRcpt, "dave@other.example"}));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 0u);
  EXPECT_EQ(h.agent.attempts_for("dave@other.example"), 1u);
  h.advance(seconds(3600));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 0u);
  EXPECT_EQ(h.size_of("example.com").active, 1u);
  EXPECT_TRUE(h.size_of("example.com").suspended);
  EXPECT_TRUE(h.store.load_message(id).has_value());

  // config reload lifts it; the next maintenance tick notices.
  h.set_config("");
  h.maintain();
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 1u);
  EXPECT_FALSE(h.store.load_message(id).has_value());
}

TEST(DeliveryFlow, SuspensionAfterNotificationStopsTake) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.agent.ready.size(), 1u);
  auto queue = h.agent.ready[0];
  h.set_config("suspend_delivery = true\n");
  EXPECT_TRUE(queue->take(10).empty());
  EXPECT_EQ(queue->waiting(), 1u);
  h.set_config("");
  h.maintain();
  ASSERT_EQ(h.agent.ready.size(), 2u) << "told again once resumed";
  EXPECT_EQ(queue->take(10).size(), 1u);
}

TEST(DeliveryFlow, NeverAttemptExpiredMessagesFailsThemAtHandOut) {
  SchedulerHarness h("never_attempt_expired_messages = true\nmessage_expiration = 100\n");
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.agent.ready.size(), 1u);
  h.clock.advance(seconds(100));
  EXPECT_TRUE(h.agent.ready[0]->take(10).empty());
  auto ps = h.log.main_records("P");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0][13], "554 5.4.5 [internal] Delivery not attempted (message expired)");
  EXPECT_EQ(ps[0][9], "0");
  EXPECT_EQ(h.bounce_ids().size(), 1u);
}

TEST(DeliveryFlow, AgentTakesInBatchesAndIsToldWheneverMailArrives) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  for (int i = 0; i < 5; ++i) h.inject(kSender, {kRcpt});
  ASSERT_EQ(h.agent.ready.size(), 5u) << "one notification per arrival, even before the agent took anything";
  auto queue = h.agent.ready[0];
  EXPECT_EQ(h.agent.ready_calls_for(*queue), 5u);
  auto first = queue->take(3);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(queue->waiting(), 2u);
  h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.agent.ready.size(), 6u) << "not drained yet: told all the same";
  auto rest = queue->take(10);
  EXPECT_EQ(rest.size(), 3u);
  EXPECT_EQ(h.size_of("example.com").in_flight, 6u);
  h.inject(kSender, {kRcpt});
  EXPECT_EQ(h.agent.ready.size(), 7u) << "drained: told again";
  for (auto& j : first) queue->complete(j, AttemptResult{{FakeAgent::ok()}});
  for (auto& j : rest) queue->complete(j, AttemptResult{{FakeAgent::ok()}});
  h.drain();
  EXPECT_EQ(h.agent.ready.size(), 7u) << "completions put nothing in the active queue";
  EXPECT_EQ(h.scheduler->summary().delivered, 6u);
  EXPECT_EQ(h.size_of("example.com").active, 1u);
}

TEST(DeliveryFlow, MissingOutcomesCountAsTransientAndAreReported) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto id = h.id_of(h.inject(kSender, {kRcpt, "carol@example.com"}));
  auto jobs = h.agent.ready[0]->take(1);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0].recipients.size(), 2u);
  h.agent.ready[0]->complete(jobs[0], AttemptResult{{FakeAgent::ok()}});
  h.drain();
  EXPECT_EQ(status_of(h, id, 0).state, spool::RecipientState::kDelivered);
  EXPECT_EQ(status_of(h, id, 1).retries, 1u);
  EXPECT_EQ(h.size_of("example.com").delayed, 1u);
  ASSERT_EQ(h.log.problems.size(), 1u);
  EXPECT_NE(h.log.problems[0].find("gave 1 outcomes for 2 recipients"), std::string::npos);
}

TEST(DeliveryFlow, SecondCompletionOfAJobIsIgnored) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  h.inject(kSender, {kRcpt});
  auto jobs = h.agent.ready[0]->take(1);
  ASSERT_EQ(jobs.size(), 1u);
  h.agent.ready[0]->complete(jobs[0], AttemptResult{{FakeAgent::tempfail()}});
  h.agent.ready[0]->complete(jobs[0], AttemptResult{{FakeAgent::ok()}});
  h.drain();
  EXPECT_EQ(h.log.main_records("T").size(), 1u);
  EXPECT_TRUE(h.log.main_records("D").empty());
  ASSERT_EQ(h.log.problems.size(), 1u);
  EXPECT_NE(h.log.problems[0].find("not in flight"), std::string::npos);
}

TEST(DeliveryFlow, EachQueueLivesOnTheLoopItsKeyHashesTo) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  std::vector<std::string> rcpts;
  for (int i = 0; i < 16; ++i) rcpts.push_back("u@d" + std::to_string(i) + ".example");
  h.inject(kSender, rcpts);
  ASSERT_EQ(h.agent.ready.size(), 16u);
  std::set<boost::asio::io_context*> used;
  for (const auto& q : h.agent.ready) {
    EXPECT_EQ(&q->loop(), h.ios[h.scheduler->loop_index(q->key())].get());
    used.insert(&q->loop());
  }
  EXPECT_EQ(used.size(), 2u) << "16 domains spread over both loops";
}

}  // namespace
}  // namespace impulse::queue::testing
