// Memory budget of queued messages (the target: 100,000 messages queued
// for a suspended domain fit well under 300 MB): the queue keeps
// no body and a few hundred bytes per message. Measured with glibc's
// mallinfo2() (bytes in use in the main arena; the test thread allocates
// there), not with timings.
#include <gtest/gtest.h>
#include <malloc.h>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

TEST(QueueMemory, HundredThousandMessagesForASuspendedDomainStaySmall) {
  SchedulerHarness h("Domain \"example.com\" { suspend_delivery = true }\n");
  constexpr std::size_t kMessages = 100'000;
  constexpr std::size_t kBodySize = 20'000;  // never resident: counted in size only
  auto make = [&](std::size_t i) {
    routing::Envelope e;
    e.id = h.ids.next();
    e.received = spool::to_spool_time(h.clock.wall_now());
    e.sender = "newsletter-bounces@sender.example";
    e.recipients = {"subscriber" + std::to_string(i) + "@example.com"};
    e.peer_ip = "198.51.100.7";
    e.size = kBodySize;
    return h.router.make_message(std::move(e));
  };
  h.scheduler->enqueue(make(0));  // the queue itself exists before we measure
  h.drain();

  const std::size_t before = mallinfo2().uordblks;
  for (std::size_t i = 1; i <= kMessages; ++i) {
    h.scheduler->enqueue(make(i));
    if (i % 1000 == 0) h.drain();
  }
  h.drain();
  const std::size_t after = mallinfo2().uordblks;

  EXPECT_EQ(h.scheduler->summary().active, kMessages + 1);
  EXPECT_EQ(h.agent.ready_calls, 0u) << "suspended: the agent is never asked";
  const std::size_t per_message = (after - before) / kMessages;
  RecordProperty("heap_bytes_per_queued_message", static_cast<int>(per_message));
  std::printf("heap bytes per queued message: %zu\n", per_message);
  EXPECT_LT(per_message, 512u);
  EXPECT_LT(after - before, std::size_t{64} << 20) << "100k queued messages under 64 MB";
}

TEST(QueueMemory, QueueSlotsStayCompact) {
  // The per-message structures that scale with the queue length.
  EXPECT_LE(sizeof(QueuedRecipient), 40u);
  // 80 bytes of message facts, the client's address and HELO kept for
  // XCLIENT (two strings) and the resident-body pointer.
  EXPECT_LE(sizeof(MessageHead), 80u + 2 * sizeof(std::string) + sizeof(void*));
}

}  // namespace
}  // namespace impulse::queue::testing
