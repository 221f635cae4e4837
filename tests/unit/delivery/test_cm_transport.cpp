// The connection manager over a scripted transport (tests/support/
// fake_transport.hpp): nothing here is SMTP. Sessions that carry several
// jobs at once, route verdicts on the queue and on a host, a dead domain
// delayed once instead of failed per message, and a stalled session that
// does not keep a queue from opening more sessions as mail arrives.
// No sleeps: the loop runs until what the test waits for has happened;
// "nothing more happens" is checked after running every ready handler.
#include <gtest/gtest.h>

#include "support/fake_transport.hpp"
#include "test_cm_support.hpp"

namespace impulse::delivery::testing {
namespace {


TransportRegistry fake_for_esmtp(FakeTransport& fake) {
  TransportRegistry registry;
  registry.add(routing::DeliveryMethod::Esmtp, fake.factory());
  return registry;
}

std::string one_route(const std::string& address, int pref = 10) {
  return "\"smtp://" + address + "?port=2525&pref=" + std::to_string(pref) + "\"";
}

// Runs every handler that is ready now (no timers waited for).
void settle(CmHarness& h) {
  for (int i = 0; i < 50; ++i) {
    h.io.restart();
    if (h.io.poll() == 0) break;
  }
}

// Paniclog lines of the connection manager and of the queue.
std::size_t problems_with(const CmHarness& h, std::string_view text) {
  auto has = [&](const std::string& p) { return contains(p, text); };
  return static_cast<std::size_t>(std::count_if(h.problems.begin(), h.problems.end(), has) +
                                  std::count_if(h.log.problems.begin(), h.log.problems.end(), has));
}

TEST(ConnectionManagerTransport, OneSessionCarriesAsManyJobsAtOnceAsItsCapacity) {
  FakeTransport fake;
  fake.script().capacity = 4;
  fake.gate(true);
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 1 Routes = ( " + one_route("127.0.0.71") + " ) }",
              fake_for_esmtp(fake));

  h.inject_many(10, "example.com");
  ASSERT_TRUE(h.run_until([&] { return fake.stats().running == 4; }));
  settle(h);
  EXPECT_EQ(fake.stats().opened, 1u);
  EXPECT_EQ(fake.stats().running, 4u) << "never more than the capacity at once";

  fake.release();
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 10; }));
  EXPECT_EQ(fake.stats().opened, 1u) << "Max_Outbound_Connections = 1";
  EXPECT_EQ(fake.stats().max_running_in_one_session, 4u);
  EXPECT_EQ(h.transients(), 0u);
}

TEST(ConnectionManagerTransport, SessionCapacityAboveOneStillHonoursMaxDeliveriesPerConnection) {
  FakeTransport fake;
  fake.script().capacity = 8;
  fake.script().max_deliveries = 3;
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 1 Routes = ( " + one_route("127.0.0.72") + " ) }",
              fake_for_esmtp(fake));

  h.inject_many(7, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 7; }));
  EXPECT_LE(fake.stats().max_running_in_one_session, 3u);
  EXPECT_EQ(fake.stats().opened, 3u) << "3 + 3 + 1 messages";
}

TEST(ConnectionManagerTransport, QueueVerdictHoldsTheQueueWithOnePaniclogLineUntilItsTime) {
  FakeTransport fake;
  bool first = true;
  fake.script().result = [&](const queue::DeliveryJob& job, const std::string& address) {
    if (!first) return FakeTransport::all_delivered(job, address);
    first = false;
    queue::AttemptResult r;
    r.outcomes.assign(job.recipients.size(),
                      queue::transient("401 credentials refused", queue::kStageResponse, queue::Scope::kMessage, address));
    r.hold = queue::Hold{queue::Hold::Target::kQueue, std::chrono::seconds(600), false, {}, "credentials refused"};
    return r;
  };
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 1 Routes = ( " + one_route("127.0.0.73") + " ) }",
              fake_for_esmtp(fake));

  h.inject("sender@origin.test", {"first@example.com"});
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 1; }));
  h.inject_many(4, "example.com");
  settle(h);
  EXPECT_EQ(h.delivered(), 0u) << "held: nothing is handed out";
  EXPECT_EQ(h.transients(), 1u) << "the attempted message only: no record per held message";
  EXPECT_EQ(problems_with(h, "queue held for"), 1u);
  EXPECT_EQ(problems_with(h, "credentials refused"), 1u);

  h.clock.advance(std::chrono::seconds(601));
  h.scheduler->maintain_now();
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 4; }));
  EXPECT_EQ(problems_with(h, "queue held for"), 1u);
}

TEST(ConnectionManagerTransport, QueueVerdictSendsBackWhatTheSessionsTookButHadNotStarted) {
  FakeTransport fake;
  std::size_t attempts = 0;
  fake.script().result = [&](const queue::DeliveryJob& job, const std::string& address) {
    ++attempts;
    queue::AttemptResult r;
    r.outcomes.assign(job.recipients.size(),
                      queue::transient("429 Too Many Requests", queue::kStageResponse, queue::Scope::kMessage, address));
    r.hold = queue::Hold{queue::Hold::Target::kQueue, std::chrono::seconds(300), false, {}, "Retry-After: 300"};
    return r;
  };
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 1 Routes = ( " + one_route("127.0.0.79") + " ) }",
              fake_for_esmtp(fake));

  h.inject_many(6, "example.com");  // the session takes 4 at once (take_batch)
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 1; }));
  ASSERT_TRUE(h.run_until([&] { return fake.stats().closed == 1; })) << "the session closes on a held queue";
  settle(h);
  EXPECT_EQ(attempts, 1u) << "nothing else is attempted once the service said no";
  EXPECT_EQ(h.transients(), 1u);
  EXPECT_EQ(problems_with(h, "queue held for"), 1u);
  std::vector<queue::QueueSizes> sizes;
  h.scheduler->queue_sizes(queue::QueueFilter{}, [&](std::vector<queue::QueueSizes> qs) { sizes = std::move(qs); });
  ASSERT_TRUE(h.run_until([&] { return !sizes.empty(); }));
  EXPECT_EQ(sizes[0].in_flight, 0u) << "the untried jobs went back to the queue";
  EXPECT_EQ(sizes[0].active, 5u);
  EXPECT_EQ(sizes[0].delayed, 1u) << "the attempted one, at its retry time";
  EXPECT_TRUE(sizes[0].held_until.has_value());
}

TEST(ConnectionManagerTransport, HostVerdictQuarantinesTheHostAndTheNextPreferenceTakesTheMail) {
  FakeTransport fake;
  fake.script().result = [&](const queue::DeliveryJob& job, const std::string& address) {
    if (address != "127.0.0.74") return FakeTransport::all_delivered(job, address);
    queue::AttemptResult r;
    r.outcomes.assign(job.recipients.size(),
                      queue::transient("503 Service Unavailable", queue::kStageResponse, queue::Scope::kMessage, address));
    r.hold = queue::Hold{queue::Hold::Target::kHost, std::chrono::seconds(300), false, "127.0.0.74", "Retry-After: 300"};
    return r;
  };
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 1 Routes = ( " + one_route("127.0.0.74", 10) + " " +
                  one_route("127.0.0.75", 20) + " ) }",
              fake_for_esmtp(fake));

  h.inject("sender@origin.test", {"first@example.com"});
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 1; }));
  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 3; }));
  EXPECT_EQ(h.transients(), 1u);
  EXPECT_EQ(problems_with(h, "host 127.0.0.74 held for 300 s: Retry-After: 300"), 1u);
  EXPECT_EQ(fake.stats().addresses.back(), "127.0.0.75");
}

TEST(ConnectionManagerTransport, DeadDomainIsDelayedOnceInsteadOfFailingEveryMessage) {
  FakeTransport fake;
  fake.script().failing_addresses = {"127.0.0.76"};
  CmHarness h("Domain \"example.com\" { Mx_Failures_To_Delay = 1 Routes = ( " + one_route("127.0.0.76") + " ) }",
              fake_for_esmtp(fake));

  h.inject_many(3, "example.com");
  ASSERT_TRUE(h.run_until([&] { return problems_with(h, "queue held for") == 1; }));
  settle(h);
  EXPECT_EQ(h.transients(), 0u) << "no fabricated 421 per message";
  EXPECT_EQ(h.delivered(), 0u);
  std::vector<queue::QueueSizes> sizes;
  h.scheduler->queue_sizes(queue::QueueFilter{}, [&](std::vector<queue::QueueSizes> qs) { sizes = std::move(qs); });
  ASSERT_TRUE(h.run_until([&] { return !sizes.empty(); }));
  EXPECT_EQ(sizes[0].delayed, 3u) << "the active queue moved to the delayed queue";
  EXPECT_EQ(sizes[0].in_flight, 0u) << "the untried messages were given back";
  EXPECT_EQ(problems_with(h, "consecutive connection failures"), 1u);
}

TEST(ConnectionManagerTransport, StalledSessionWhileMailKeepsArrivingGrowsTheQueueSessions) {
  FakeTransport fake;
  fake.gate(true);
  CmHarness h("Domain \"example.com\" { Max_Outbound_Connections = 8 Routes = ( " + one_route("127.0.0.77") + " ) }",
              fake_for_esmtp(fake));

  h.inject("sender@origin.test", {"first@example.com"});
  ASSERT_TRUE(h.run_until([&] { return fake.stats().running == 1; }));
  EXPECT_EQ(fake.stats().opened, 1u);
  // The only session is stuck in its delivery; mail keeps coming.
  for (int i = 0; i < 200; ++i) {
    h.inject("sender@origin.test", {"user" + std::to_string(i) + "@example.com"});
    settle(h);
  }
  EXPECT_GT(fake.stats().opened, 1u) << "more sessions open while the first one stalls";
  EXPECT_LE(fake.stats().max_open, 8u);

  fake.release();
  ASSERT_TRUE(h.run_until([&] { return h.delivered() == 201; }));
}

TEST(ConnectionManagerTransport, MethodWithoutATransportFailsTransientlyWithAPaniclogLine) {
  FakeTransport fake;
  CmHarness h("Domain \"example.com\" { Delivery_Method = apn Routes = ( \"apn://127.0.0.78\" ) }",
              fake_for_esmtp(fake));
  h.inject_many(2, "example.com");
  ASSERT_TRUE(h.run_until([&] { return h.transients() == 2; }));
  for (const auto& t : h.log.main_records("T")) EXPECT_TRUE(contains(t[13], "451 4.3.5 [internal] delivery method not available"))
        << t[13];
  EXPECT_EQ(problems_with(h, "Delivery_Method apn has no transport"), 1u);
  EXPECT_EQ(fake.stats().opened, 0u);
}

}  // namespace
}  // namespace impulse::delivery::testing
