// QueueKey: the (binding, domain) name of a queue and the hash that pins it
// to a loop (moved from the router's tests when the router moved to routing/).
#include <gtest/gtest.h>

#include "queue/queue_key.hpp"

namespace impulse::queue {
namespace {

TEST(QueueKey, HashDistinguishesBindingAndDomain) {
  QueueKeyHash h;
  EXPECT_NE(h(QueueKey{"a", "b"}), h(QueueKey{"b", "a"}));
  EXPECT_EQ(h(QueueKey{"a", "b"}), h(QueueKey{"a", "b"}));
  EXPECT_EQ((QueueKey{"default", "x.example"}).to_string(), "default/x.example");
}

}  // namespace
}  // namespace impulse::queue
