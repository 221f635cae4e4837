// MessageInjector: durable before acknowledged, then queued and logged.
#include <gtest/gtest.h>

#include <cerrno>

#include "queue_test_support.hpp"

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
  inbound::ReceivedMessage m;
  m.helo = "c";
  m.mail_from = "a@s.example";
  m.recipients = {"b@example.com"};
  m.data = "\r\n";
  m.peer_ip = "127.0.0.1";
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

}  // namespace
}  // namespace impulse::queue::testing
