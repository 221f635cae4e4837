// Connection_Allocation_Aggressiveness curves (connection_allocation.hpp).
#include <gtest/gtest.h>

#include "routing/connection_allocation.hpp"

namespace impulse::routing {
namespace {

TEST(ConnectionAllocation, NormalCurveMatchesMomentumsGraph) {
  const auto at100 = wanted_connections(100, 32, Aggressiveness::Normal);
  EXPECT_GE(at100, 19);
  EXPECT_LE(at100, 21);
  EXPECT_EQ(wanted_connections(400, 32, Aggressiveness::Normal), 31);
  EXPECT_EQ(wanted_connections(5000, 32, Aggressiveness::Normal), 32);
}

TEST(ConnectionAllocation, HighCurveMatchesMomentumsGraph) {
  const auto at100 = wanted_connections(100, 32, Aggressiveness::High);
  EXPECT_GE(at100, 28);
  EXPECT_LE(at100, 29);
  EXPECT_EQ(wanted_connections(200, 32, Aggressiveness::High), 32);
}

TEST(ConnectionAllocation, AtLeastOneWhenThereIsWorkAndNoneWithout) {
  EXPECT_EQ(wanted_connections(0, 32, Aggressiveness::Normal), 0);
  EXPECT_EQ(wanted_connections(1, 32, Aggressiveness::Normal), 1);
  EXPECT_EQ(wanted_connections(1, 32, Aggressiveness::High), 1);
}

TEST(ConnectionAllocation, NeverAboveTheMaximumOrTheQueue) {
  EXPECT_EQ(wanted_connections(1000000, 10, Aggressiveness::High), 10);
  EXPECT_LE(wanted_connections(3, 32, Aggressiveness::High), 3);
  EXPECT_EQ(wanted_connections(50, 0, Aggressiveness::High), 0);
  EXPECT_EQ(wanted_connections(50, -1, Aggressiveness::Normal), 50) << "unlimited: one per message";
}

TEST(ConnectionAllocation, GrowsMonotonicallyWithTheQueue) {
  for (auto a : {Aggressiveness::Normal, Aggressiveness::High}) {
    std::int64_t previous = 0;
    for (std::size_t q = 0; q < 1000; ++q) {
      const auto wanted = wanted_connections(q, 32, a);
      EXPECT_GE(wanted, previous) << q;
      previous = wanted;
    }
  }
}

TEST(ConnectionAllocation, ParsesTheOptionValues) {
  EXPECT_EQ(parse_aggressiveness("Normal"), Aggressiveness::Normal);
  EXPECT_EQ(parse_aggressiveness("HIGH"), Aggressiveness::High);
  EXPECT_FALSE(parse_aggressiveness("extreme").has_value());
}

}  // namespace
}  // namespace impulse::routing
