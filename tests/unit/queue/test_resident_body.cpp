// ResidentBody and its budget (queue/resident_body.hpp): a body is kept only
// within the cap, handed out once, and its bytes return to the budget when
// it is taken, released or its holder destroyed, exactly once.
#include "queue/resident_body.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace impulse::queue {
namespace {

spool::Body body_of(std::size_t n) { return std::make_shared<const std::string>(n, 'x'); }

TEST(ResidentBody, KeptWithinTheCapAndHandedOutOnce) {
  auto budget = std::make_shared<ResidentBodyBudget>(100);
  ResidentBody a, b, c;
  EXPECT_TRUE(a.keep(body_of(60), budget));
  EXPECT_FALSE(b.keep(body_of(41), budget)) << "60 + 41 is over the cap";
  EXPECT_TRUE(c.keep(body_of(40), budget));
  EXPECT_EQ(budget->used(), 100u);
  EXPECT_FALSE(a.keep(body_of(1), budget)) << "one body per holder";

  spool::Body taken = a.take();
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->size(), 60u);
  EXPECT_FALSE(a.take());
  EXPECT_FALSE(a.resident());
  EXPECT_EQ(budget->used(), 40u);
  c.release();
  EXPECT_FALSE(c.take());
  EXPECT_EQ(budget->used(), 0u);
}

TEST(ResidentBody, DestroyingTheHolderGivesTheBytesBack) {
  auto budget = std::make_shared<ResidentBodyBudget>(1000);
  {
    ResidentBody held;
    ASSERT_TRUE(held.keep(body_of(300), budget));
    EXPECT_EQ(budget->used(), 300u);
  }
  EXPECT_EQ(budget->used(), 0u);
  ResidentBody none;
  EXPECT_FALSE(none.keep(nullptr, budget));
  EXPECT_FALSE(none.keep(body_of(1), nullptr));
  EXPECT_FALSE(none.keep(body_of(1001), budget));
  EXPECT_EQ(budget->used(), 0u);
}

TEST(ResidentBody, ConcurrentTakersGetItExactlyOnce) {
  auto budget = std::make_shared<ResidentBodyBudget>(1 << 20);
  for (int round = 0; round < 200; ++round) {
    ResidentBody held;
    ASSERT_TRUE(held.keep(body_of(10), budget));
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] { winners += held.take() != nullptr; });
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(budget->used(), 0u);
  }
}

}  // namespace
}  // namespace impulse::queue
