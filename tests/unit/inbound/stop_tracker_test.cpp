// StopTracker: `done` once, only after every loop has stopped and every
// session has ended; a repeated stop request.
#include "inbound/stop_tracker.hpp"

#include <gtest/gtest.h>

namespace impulse::inbound {
namespace {

TEST(StopTracker, DoneOnlyAfterEveryLoopAndSessionAndOnlyOnce) {
  StopTracker t;
  int done = 0;
  t.session_started();
  t.session_started();
  EXPECT_FALSE(t.stop_requested());
  EXPECT_TRUE(t.request_stop([&] { ++done; }, 2));
  EXPECT_TRUE(t.stop_requested());
  t.loop_stopped();
  t.session_ended();
  EXPECT_EQ(done, 0);
  t.loop_stopped();
  EXPECT_EQ(done, 0);
  EXPECT_EQ(t.live(), 1u);
  t.session_ended();
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(t.request_stop([&] { done += 10; }, 2));  // already finished: called at once
  EXPECT_EQ(done, 11);
}

TEST(StopTracker, ARepeatedRequestReplacesTheCallbackWhileStopping) {
  StopTracker t;
  int first = 0, second = 0;
  EXPECT_TRUE(t.request_stop([&] { ++first; }, 1));
  EXPECT_FALSE(t.request_stop([&] { ++second; }, 1));
  EXPECT_FALSE(t.request_stop({}, 1));  // an empty callback keeps the last one
  t.loop_stopped();
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace impulse::inbound
