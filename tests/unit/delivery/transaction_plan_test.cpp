// Unit tests for delivery/smtp/transaction_plan.hpp: batching by
// max_recipients_per_batch and RFC 2920 pipelining groups.
#include "delivery/smtp/transaction_plan.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

using K = CommandKind;

std::vector<std::size_t> sizes(const std::vector<Batch>& batches) {
  std::vector<std::size_t> out;
  for (const auto& b : batches) out.push_back(b.size());
  return out;
}

TEST(PlanBatches, TwoHundredFiftyAtOneHundred) {
  const auto batches = plan_batches(250, 100);
  EXPECT_EQ(sizes(batches), (std::vector<std::size_t>{100, 100, 50}));
  // In order, each recipient once.
  std::size_t expected = 0;
  for (const auto& b : batches) {
    for (std::size_t i : b) EXPECT_EQ(i, expected++);
  }
  EXPECT_EQ(expected, 250u);
}

TEST(PlanBatches, Edges) {
  EXPECT_TRUE(plan_batches(0, 100).empty());
  EXPECT_EQ(sizes(plan_batches(1, 100)), std::vector<std::size_t>{1});
  EXPECT_EQ(sizes(plan_batches(100, 100)), std::vector<std::size_t>{100});
  EXPECT_EQ(sizes(plan_batches(101, 100)), (std::vector<std::size_t>{100, 1}));
  EXPECT_EQ(sizes(plan_batches(3, 1)), (std::vector<std::size_t>{1, 1, 1}));
  EXPECT_EQ(sizes(plan_batches(3, 0)), (std::vector<std::size_t>{1, 1, 1}));  // 0 is treated as 1
}

TEST(PlanTransaction, PipelinedIsOneGroupEndingWithData) {
  const auto groups = plan_transaction(3, PlanOptions{true, false});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (CommandGroup{{K::kMailFrom, 0}, {K::kRcptTo, 0}, {K::kRcptTo, 1}, {K::kRcptTo, 2}, {K::kData, 0}}));
}

TEST(PlanTransaction, PipelinedWithRsetFirst) {
  const auto groups = plan_transaction(1, PlanOptions{true, true});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (CommandGroup{{K::kRset, 0}, {K::kMailFrom, 0}, {K::kRcptTo, 0}, {K::kData, 0}}));
}

TEST(PlanTransaction, LockStepIsOneCommandPerGroup) {
  const auto groups = plan_transaction(2, PlanOptions{false, true});
  ASSERT_EQ(groups.size(), 5u);
  EXPECT_EQ(groups[0], (CommandGroup{{K::kRset, 0}}));
  EXPECT_EQ(groups[1], (CommandGroup{{K::kMailFrom, 0}}));
  EXPECT_EQ(groups[2], (CommandGroup{{K::kRcptTo, 0}}));
  EXPECT_EQ(groups[3], (CommandGroup{{K::kRcptTo, 1}}));
  EXPECT_EQ(groups[4], (CommandGroup{{K::kData, 0}}));
}

TEST(PlanTransaction, LongGroupsAreCutAndDataStaysLast) {
  for (std::size_t recipients : {1u, 5u, 6u, 7u, 8u, 100u}) {
    const auto groups = plan_transaction(recipients, PlanOptions{true, false, 4});
    std::size_t total = 0;
    std::size_t next_rcpt = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      ASSERT_FALSE(groups[g].empty());
      EXPECT_LE(groups[g].size(), 4u);
      for (std::size_t i = 0; i < groups[g].size(); ++i) {
        const auto& c = groups[g][i];
        if (c.kind == K::kData) {
          EXPECT_EQ(g, groups.size() - 1) << "DATA only in the last group";
          EXPECT_EQ(i, groups[g].size() - 1) << "DATA last in its group";
        }
        if (c.kind == K::kRcptTo) {
          EXPECT_EQ(c.recipient, next_rcpt++);
        }
      }
      total += groups[g].size();
    }
    EXPECT_EQ(total, recipients + 2);
    EXPECT_EQ(next_rcpt, recipients);
    EXPECT_EQ(groups.front().front().kind, K::kMailFrom);
  }
}

TEST(PlanTransaction, HundredRecipientsFitOneDefaultGroup) {
  const auto groups = plan_transaction(100, PlanOptions{true, true});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].size(), 103u);
}

}  // namespace
}  // namespace impulse::delivery::smtp
