// DSN reports besides bounces (queue/dsn_reports.hpp, RFC 3461 §4.1 and
// §6.2, SPEC §19): success reports ("relayed" for an SMTP hop without DSN,
// "delivered" for final delivery, none when the hop listed DSN), one delay
// warning per message for NOTIFY=DELAY (or no NOTIFY with
// generate_delay_dsn), never for a null sender; and the pure rules.
#include "queue/dsn_reports.hpp"

#include <gtest/gtest.h>

#include <map>

#include "protocol/dsn_params.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

using std::chrono::seconds;
namespace p = protocol;

Outcome handed_off(DsnHandoff handoff) {
  Outcome o = FakeAgent::ok();
  o.dsn_handoff = handoff;
  return o;
}

// Delivers reports (null sender) capturing their bodies; everything else
// gets `outcome`.
struct Script {
  std::map<std::string, std::string>* reports;
  Outcome outcome;
  Outcome operator()(const DeliveryJob& job, const QueuedRecipient&) const {
    if (job.sender().empty()) {
      if (auto b = job.load_body(); b && *b) (*reports)[job.id().to_string()] = unfold(**b);
      return FakeAgent::ok();
    }
    return outcome;
  }
};

void inject(SchedulerHarness& h, const std::string& sender, std::uint8_t notify, std::string envid = {},
            std::uint8_t ret = 0) {
  Injection m;
  m.origin.helo = "client.example.net";
  m.origin.esmtp = true;
  m.origin.peer_ip = "198.51.100.7";
  m.envelope.sender = sender;
  m.envelope.recipients = {kRcpt};
  if (notify != 0) m.envelope.dsn_notify = {notify};
  m.envelope.dsn_envid = std::move(envid);
  m.envelope.dsn_ret = ret;
  m.data = "Subject: test\r\nMessage-ID: <m1@sender.example>\r\n\r\nHello body\r\n";
  std::optional<Result<std::string>> got;
  h.injector->inject(std::move(m), [&](Result<std::string> r) { got = std::move(r); });
  h.drain();
  ASSERT_TRUE(got && got->has_value());
}

TEST(DsnReports, SuccessRequestedAndAHopWithoutDsnGivesOneRelayedReport) {
  SchedulerHarness h("bounces_inline_original = all\n");
  std::map<std::string, std::string> reports;
  h.agent.script = Script{&reports, handed_off(DsnHandoff::kRelayed)};
  inject(h, kSender, p::kNotifySuccess | p::kNotifyFailure, "ENV-1", p::kRetFull);
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  EXPECT_EQ(h.agent.attempts.back().sender, "") << "sent with a null reverse path";
  EXPECT_EQ(h.agent.attempts.back().key, (QueueKey{"default", "sender.example"}));
  const std::string& r = reports.at(h.bounce_ids()[0].to_string());
  EXPECT_NE(r.find("To: alice@sender.example\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Subject: Delivery Status Notification (Success)\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Original-Envelope-Id: ENV-1\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Final-Recipient: rfc822; bob@example.com\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Action: relayed\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Status: 2.0.0\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Remote-MTA: dns; mx.example.com\n"), std::string::npos) << r;
  // Success reports carry the headers only, whatever RET and bounces_inline_original say.
  EXPECT_NE(r.find("Content-Type: text/rfc822-headers"), std::string::npos) << r;
  EXPECT_EQ(r.find("Hello body"), std::string::npos) << r;
  EXPECT_TRUE(h.log.bouncelog.empty());
}

TEST(DsnReports, FinalDeliveryGivesADeliveredReport) {
  SchedulerHarness h;
  std::map<std::string, std::string> reports;
  h.agent.script = Script{&reports, handed_off(DsnHandoff::kFinal)};
  inject(h, kSender, p::kNotifySuccess);
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string& r = reports.at(h.bounce_ids()[0].to_string());
  EXPECT_NE(r.find("Action: delivered\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Status: 2.0.0\n"), std::string::npos) << r;
}

TEST(DsnReports, NoSuccessReportWhenTheHopReportsOrNobodyAsked) {
  struct Case {
    std::string sender;
    std::uint8_t notify;
    DsnHandoff handoff;
  };
  for (const Case& c : {Case{kSender, p::kNotifySuccess, DsnHandoff::kPassedOn},
                        Case{kSender, p::kNotifySuccess, DsnHandoff::kNone},
                        Case{kSender, p::kNotifyFailure, DsnHandoff::kRelayed},
                        Case{kSender, 0, DsnHandoff::kFinal},
                        Case{"", p::kNotifySuccess, DsnHandoff::kRelayed}}) {
    SchedulerHarness h;
    std::map<std::string, std::string> reports;
    h.agent.script = Script{&reports, handed_off(c.handoff)};
    inject(h, c.sender, c.notify);
    EXPECT_EQ(h.log.main_records("D").size(), 1u);
    EXPECT_TRUE(h.bounce_ids().empty()) << "sender '" << c.sender << "' notify " << int(c.notify) << " handoff "
                                        << int(c.handoff);
  }
}

TEST(DsnReports, NotifyDelayGetsOneDelayWarningOnceQueuedLongEnough) {
  SchedulerHarness h("retry_interval = 10\ndelay_dsn_retry_interval = 30\nmessage_expiration = 1000\n");
  std::map<std::string, std::string> reports;
  h.agent.script = Script{&reports, FakeAgent::tempfail()};
  inject(h, kSender, p::kNotifyDelay | p::kNotifyFailure, "ENV-2");
  h.advance(seconds(10));  // second attempt at 10 s: not yet
  EXPECT_TRUE(h.bounce_ids().empty());
  h.advance(seconds(20));  // third attempt at 30 s: queued 30 s, the warning
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  h.advance(seconds(40));  // fourth attempt at 70 s: no second warning
  h.advance(seconds(80));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 5u);
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string& r = reports.at(h.bounce_ids()[0].to_string());
  EXPECT_NE(r.find("Subject: Delivery Status Notification (Delay)\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Original-Envelope-Id: ENV-2\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Action: delayed\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Status: 4.3.0\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Diagnostic-Code: smtp; 451 4.3.0 Try again later\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Will-Retry-Until: "), std::string::npos) << r;
  EXPECT_TRUE(h.store.load_message(*spool::MessageId::parse(h.log.main_records("R")[0][1])).has_value())
      << "still queued";
}

TEST(DsnReports, DelayWarningWithoutNotifyOnlyWithGenerateDelayDsn) {
  const std::string base = "retry_interval = 10\ndelay_dsn_retry_interval = 30\n";
  for (const auto& [extra, notify, expected] :
       {std::tuple{std::string(), std::uint8_t{0}, 0u}, std::tuple{std::string("generate_delay_dsn = true\n"),
                                                                   std::uint8_t{0}, 1u},
        std::tuple{std::string("generate_delay_dsn = true\n"), std::uint8_t{p::kNotifyFailure}, 0u},
        std::tuple{std::string("generate_delay_dsn = true\n"), std::uint8_t{p::kNotifyNever}, 0u}}) {
    SchedulerHarness h(base + extra);
    std::map<std::string, std::string> reports;
    h.agent.script = Script{&reports, FakeAgent::tempfail()};
    inject(h, kSender, notify);
    h.advance(seconds(10));
    h.advance(seconds(20));
    h.advance(seconds(40));
    EXPECT_EQ(h.agent.attempts_for(kRcpt), 4u);
    EXPECT_EQ(h.bounce_ids().size(), expected) << extra << " notify " << int(notify);
  }
}

TEST(DsnReports, DelayWarningNeverForANullSender) {
  SchedulerHarness h("retry_interval = 10\ndelay_dsn_retry_interval = 30\n");
  h.agent.script = always(FakeAgent::tempfail());
  inject(h, "", p::kNotifyDelay);
  h.advance(seconds(10));
  h.advance(seconds(20));
  h.advance(seconds(40));
  EXPECT_EQ(h.agent.attempts_for(kRcpt), 4u);
  EXPECT_TRUE(h.bounce_ids().empty());
}

TEST(DsnReportRules, SuccessAction) {
  EXPECT_EQ(success_action(p::kNotifySuccess, DsnHandoff::kRelayed), p::DsnAction::kRelayed);
  EXPECT_EQ(success_action(p::kNotifySuccess | p::kNotifyDelay, DsnHandoff::kFinal), p::DsnAction::kDelivered);
  EXPECT_FALSE(success_action(p::kNotifySuccess, DsnHandoff::kPassedOn));
  EXPECT_FALSE(success_action(p::kNotifySuccess, DsnHandoff::kNone));
  EXPECT_FALSE(success_action(0, DsnHandoff::kRelayed));
  EXPECT_FALSE(success_action(p::kNotifyNever, DsnHandoff::kRelayed));
}

TEST(DsnReportRules, DelayWarningDueOnceQueuedLongEnough) {
  const WallTime received{seconds(1'700'000'000)};
  EXPECT_FALSE(delay_warning_due(seconds(30), received, received + seconds(29)));
  EXPECT_TRUE(delay_warning_due(seconds(30), received, received + seconds(30)));
  EXPECT_TRUE(delay_warning_due(seconds(30), received, received + seconds(3000)));
  EXPECT_FALSE(delay_warning_due(seconds(0), received, received + seconds(100)));
}

// A restart: the warned message is queued again already past its
// threshold and gets no second warning; one recovered before its threshold
// is still warned once.
TEST(DsnReports, RestartDoesNotWarnAWarnedMessageAgain) {
  const std::string config = "retry_interval = 10\nmax_retry_interval = 10\ndelay_dsn_retry_interval = 30\n";
  for (const bool warned_before : {true, false}) {
    auto disk = std::make_shared<spool::MemoryDisk>();
    WallTime stopped{};
    {
      SchedulerHarness first(config, disk);
      std::map<std::string, std::string> reports;
      first.agent.script = Script{&reports, FakeAgent::tempfail()};
      inject(first, kSender, p::kNotifyDelay);
      first.advance(seconds(10));
      if (warned_before) {
        first.advance(seconds(10));
        first.advance(seconds(10));
      }
      EXPECT_EQ(first.bounce_ids().size(), warned_before ? 1u : 0u);
      stopped = first.clock.wall_now();
    }
    SchedulerHarness second(config, disk);
    second.clock.set_wall(stopped);
    std::map<std::string, std::string> reports;
    second.agent.script = Script{&reports, FakeAgent::tempfail()};
    ASSERT_TRUE(second.scheduler->recover().has_value());
    second.drain();
    for (int i = 0; i < 5; ++i) second.advance(seconds(10));
    EXPECT_GE(second.agent.attempts_for(kRcpt), 4u);
    EXPECT_EQ(second.bounce_ids().size(), warned_before ? 0u : 1u) << "warned before the restart: " << warned_before;
  }
}

TEST(DsnReportRules, WhoWantsADelayWarning) {
  EXPECT_TRUE(wants_delay_warning(p::kNotifyDelay, false));
  EXPECT_FALSE(wants_delay_warning(p::kNotifyFailure | p::kNotifySuccess, true));
  EXPECT_FALSE(wants_delay_warning(p::kNotifyNever, true));
  EXPECT_FALSE(wants_delay_warning(0, false));
  EXPECT_TRUE(wants_delay_warning(0, true));
}

}  // namespace
}  // namespace impulse::queue::testing
