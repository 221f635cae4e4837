// MessageInjector: durable before acknowledged, then queued and logged;
// the origin (protocol, peer, HELO, trace line) reaches the spool, the R
// records, the Received: header and the queue's MessageHead; the body just
// received serves the first attempt (within the resident-body budget, never
// for a suspended queue or a delayed message).
#include <gtest/gtest.h>

#include <cerrno>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

TEST(Injector, DurableMessageIsAcknowledgedLoggedAndQueuedPerDomain) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto r = h.inject("alice@sender.example", {"bob@Example.com", "carol@example.com", "dave@other.example"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto id = h.id_of(r);

  // Spooled, with the trace header in front of the data.
  auto stored = h.store.load_message(id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->sender, "alice@sender.example");
  EXPECT_EQ(stored->peer_ip, "198.51.100.7");
  ASSERT_EQ(stored->recipients.size(), 3u);
  EXPECT_EQ(stored->recipients[0].domain, "example.com");
  EXPECT_EQ(stored->recipients[0].binding, "default");
  auto body = h.store.load_body(id);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ((*body)->rfind("Received: from client.example.net ([198.51.100.7])\r\n\tby mta.test with ESMTP id " +
                               id.to_string() + "; ",
                           0),
            0u)
      << **body;
  EXPECT_NE((*body)->find("\r\nSubject: test\r\n\r\nHello\r\n"), std::string::npos);
  EXPECT_EQ(stored->size, (*body)->size());

  // One R record per recipient.
  auto rs = h.log.main_records("R");
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0][1], id.to_string());
  EXPECT_EQ(rs[0][5], "bob");
  EXPECT_EQ(rs[0][6], "Example.com");
  EXPECT_EQ(rs[0][7], "alice");
  EXPECT_EQ(rs[0][8], "sender.example");
  EXPECT_EQ(rs[0][9], "198.51.100.7");
  EXPECT_EQ(rs[0][10], std::to_string(stored->size));
  EXPECT_EQ(rs[0][11], "esmtp");
  EXPECT_EQ(rs[0][13], "default");

  // Queued: one entry per (binding, domain), the agent told once per queue.
  auto counts = h.scheduler->summary();
  EXPECT_EQ(counts.received, 1u);
  EXPECT_EQ(counts.active, 2u);
  EXPECT_EQ(counts.delayed, 0u);
  EXPECT_EQ(h.size_of("example.com").active, 1u);
  EXPECT_EQ(h.size_of("other.example").active, 1u);
  EXPECT_EQ(h.agent.ready_calls, 2u);
  auto jobs = h.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id(), id);
  EXPECT_EQ(jobs[0].retries, 0u);
  auto loaded = jobs[0].load_body();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(**loaded, **body);
}

TEST(Injector, CompletionWaitsForTheSpool) {
  SchedulerHarness h("", std::make_shared<spool::MemoryDisk>(), spool::MemoryStore::Mode::kDeferred);
  h.agent.auto_run = false;
  Injection m;
  m.origin.helo = "c";
  m.envelope.sender = "a@s.example";
  m.envelope.recipients = {"b@example.com"};
  m.data = "\r\n";
  m.origin.peer_ip = "127.0.0.1";
  std::optional<Result<std::string>> got;
  h.injector->inject(std::move(m), [&](Result<std::string> r) { got = std::move(r); });
  h.drain();
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(h.scheduler->summary().total(), 0u);
  EXPECT_TRUE(h.log.main_records("R").empty());

  EXPECT_EQ(h.store.complete_pending(), 1u);
  h.drain();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(h.scheduler->summary().active, 1u);
  EXPECT_EQ(h.log.main_records("R").size(), 1u);
}

TEST(Injector, StoreFailureReportsTheErrorAndQueuesNothing) {
  SchedulerHarness h;
  h.store.fail_writes(Error{"disk full", ENOSPC});
  auto r = h.inject("a@s.example", {"b@example.com"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "disk full");
  EXPECT_EQ(h.scheduler->summary().total(), 0u);
  EXPECT_EQ(h.scheduler->summary().received, 0u);
  EXPECT_TRUE(h.log.mainlog.empty());
  EXPECT_EQ(h.agent.ready_calls, 0u);
  EXPECT_EQ(h.store.disk()->message_count(), 0u);
}

TEST(Injector, IdsAreUniqueAcrossInjections) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto a = h.inject("a@s.example", {"b@example.com"});
  auto b = h.inject("a@s.example", {"b@example.com"});
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(h.size_of("example.com").active, 2u);
}

// Injects `m` through h's injector and drains; the completion's result.
Result<std::string> inject(SchedulerHarness& h, Injection m) {
  std::optional<Result<std::string>> got;
  h.injector->inject(std::move(m), [&](Result<std::string> r) { got = std::move(r); });
  h.drain();
  if (!got) return fail("no completion");
  return *got;
}

Injection message_to(std::vector<std::string> rcpts, std::string data = "Subject: t\r\n\r\nHi\r\n") {
  Injection m;
  m.envelope.sender = "a@s.example";
  m.envelope.recipients = std::move(rcpts);
  m.data = std::move(data);
  m.origin.helo = "client.example.net";
  m.origin.peer_ip = "198.51.100.7";
  m.origin.connection_id = "CONN-1";
  return m;
}

TEST(Injector, ClientFactsReachTheSpoolAndTheQueuedMessage) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto r = inject(h, message_to({"b@example.com"}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto id = h.id_of(r);
  auto stored = h.store.load_message(id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->helo, "client.example.net");
  EXPECT_EQ(stored->peer_ip, "198.51.100.7");
  EXPECT_EQ(h.log.main_records("R")[0][3], "CONN-1");  // connid from the origin

  ASSERT_EQ(h.agent.ready.size(), 1u);
  auto jobs = h.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].message->peer_ip, "198.51.100.7");  // XCLIENT ADDR
  EXPECT_EQ(jobs[0].message->helo, "client.example.net");  // XCLIENT HELO
}

TEST(Injector, RecoveredMessageKeepsItsClientFacts) {
  auto disk = std::make_shared<spool::MemoryDisk>();
  {
    SchedulerHarness before("", disk);
    before.agent.auto_run = false;
    ASSERT_TRUE(inject(before, message_to({"b@example.com"})).has_value());
  }
  SchedulerHarness after("", disk);
  after.agent.auto_run = false;
  auto report = after.scheduler->recover();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  after.drain();
  ASSERT_EQ(after.agent.ready.size(), 1u);
  auto jobs = after.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].message->peer_ip, "198.51.100.7");
  EXPECT_EQ(jobs[0].message->helo, "client.example.net");
  // Recovery has no body in memory: the first attempt reads the spool.
  EXPECT_EQ(after.scheduler->resident_body_bytes(), 0u);
  auto body = jobs[0].load_body();
  ASSERT_TRUE(body.has_value());
  EXPECT_NE((*body)->find("Subject: t\r\n\r\nHi\r\n"), std::string::npos);
}

TEST(Injector, HttpOriginLogsRestWithAnUnknownPeerAndAnHttpTrace) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  Injection m = message_to({"b@example.com"});
  m.origin = Origin{};
  m.origin.protocol = spool::Protocol::kRest;
  m.origin.tls = true;
  auto r = inject(h, std::move(m));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto id = h.id_of(r);
  auto rs = h.log.main_records("R");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0][9], "unknown");
  EXPECT_EQ(rs[0][11], "rest");
  auto stored = h.store.load_message(id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->protocol, spool::Protocol::kRest);
  EXPECT_EQ(stored->helo, "");
  auto body = h.store.load_body(id);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ((*body)->rfind("Received: from unknown ([unknown])\r\n\tby mta.test with HTTPS id " + id.to_string() +
                               "\r\n\tfor <b@example.com>; ",
                           0),
            0u)
      << **body;
}

TEST(Injector, ReadyMadeTraceLineIsPrependedAsGiven) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  Injection m = message_to({"b@example.com"});
  m.origin.protocol = spool::Protocol::kEcstream;
  m.origin.trace = "Received: from node1 by node2; Tue, 14 Nov 2023 22:13:20 +0000\r\n";
  auto r = inject(h, std::move(m));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto body = h.store.load_body(h.id_of(r));
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(**body, "Received: from node1 by node2; Tue, 14 Nov 2023 22:13:20 +0000\r\nSubject: t\r\n\r\nHi\r\n");
  EXPECT_EQ(h.log.main_records("R")[0][11], "ecstream");

  // An empty trace line adds nothing: the data is stored as received.
  Injection unchanged = message_to({"b@example.com"});
  unchanged.origin.trace = "";
  auto r2 = inject(h, std::move(unchanged));
  ASSERT_TRUE(r2.has_value());
  body = h.store.load_body(h.id_of(r2));
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(**body, "Subject: t\r\n\r\nHi\r\n");
}

TEST(Injector, FirstAttemptGetsTheReceivedBodyWithoutASpoolRead) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  auto r = inject(h, message_to({"b@example.com"}));
  ASSERT_TRUE(r.has_value());
  const auto id = h.id_of(r);
  auto stored = h.store.load_body(id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(h.scheduler->resident_body_bytes(), (*stored)->size());

  // Take the spool's copy away: only the resident body can answer now.
  bool removed = false;
  h.store.remove(id, [&](Result<void> done) { removed = done.has_value(); });
  h.drain();
  ASSERT_TRUE(removed);
  ASSERT_EQ(h.agent.ready.size(), 1u);
  auto jobs = h.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 1u);
  auto first = jobs[0].load_body();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(**first, **stored);
  EXPECT_EQ(h.scheduler->resident_body_bytes(), 0u);
  // Dropped after the first hand-out: the next load goes to the spool.
  auto second = jobs[0].load_body();
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ENOENT);
}

TEST(Injector, SuspendedQueueKeepsNoBodies) {
  SchedulerHarness h("Domain \"example.com\" { suspend_delivery = true }\n");
  const std::string data = "Subject: t\r\n\r\n" + std::string(4096, 'x') + "\r\n";
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(inject(h, message_to({"u" + std::to_string(i) + "@example.com"}, data)));
  EXPECT_EQ(h.size_of("example.com").active, 1000u);
  EXPECT_EQ(h.scheduler->resident_body_bytes(), 0u);

  // The same mail for a queue that can deliver now is kept (no agent runs).
  h.agent.auto_run = false;
  ASSERT_TRUE(inject(h, message_to({"u@other.example"}, data)));
  EXPECT_GT(h.scheduler->resident_body_bytes(), data.size());
}

TEST(Injector, DelayedMessageDropsItsBody) {
  SchedulerHarness h;
  // The agent fails every attempt without ever loading the body.
  h.agent.script = [](const DeliveryJob&, const QueuedRecipient&) { return FakeAgent::tempfail(); };
  ASSERT_TRUE(inject(h, message_to({"b@example.com"})));
  EXPECT_EQ(h.size_of("example.com").delayed, 1u);
  EXPECT_EQ(h.scheduler->resident_body_bytes(), 0u);
}

TEST(Injector, ResidentBodiesStayWithinTheCap) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  // A scheduler whose budget holds two of these bodies.
  const std::string data(1000, 'x');
  h.injector.reset();
  h.scheduler = std::make_unique<Scheduler>(SchedulerDeps{.loops = {h.ios[0].get(), h.ios[1].get()},
                                                          .store = h.store,
                                                          .agent = h.agent,
                                                          .log = h.log,
                                                          .clock = h.clock,
                                                          .config = [&h] { return h.config; },
                                                          .ids = h.ids,
                                                          .router = h.router,
                                                          .hostname = SchedulerHarness::kHostname,
                                                          .resident_body_cap = 2500});
  h.injector = std::make_unique<MessageInjector>(
      InjectorDeps{h.store, *h.scheduler, h.router, h.ids, h.log, h.clock, SchedulerHarness::kHostname});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(inject(h, message_to({"u" + std::to_string(i) + "@example.com"}, data)));
    EXPECT_LE(h.scheduler->resident_body_bytes(), 2500u);
  }
  EXPECT_GT(h.scheduler->resident_body_bytes(), 2000u);  // two kept, the rest read from the spool
  ASSERT_FALSE(h.agent.ready.empty());
  auto jobs = h.agent.ready[0]->take(10);
  ASSERT_EQ(jobs.size(), 5u);
  for (auto& job : jobs) {
    auto body = job.load_body();
    ASSERT_TRUE(body.has_value()) << body.error().message;
    EXPECT_NE((*body)->find(data), std::string::npos);
  }
  EXPECT_EQ(h.scheduler->resident_body_bytes(), 0u);
}

}  // namespace
}  // namespace impulse::queue::testing
