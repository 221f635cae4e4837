// runtime::with_deadline: the operation winning (with its error code and
// byte count), the deadline winning, and a cancelled timer (interrupted),
// over a real connected socket pair.
#include "runtime/deadline.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <optional>

namespace impulse::runtime {
namespace {

namespace asio = boost::asio;
using asio::local::stream_protocol;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class DeadlineTest : public ::testing::Test {
 protected:
  DeadlineTest() : a_(io_), b_(io_), timer_(io_) { asio::local::connect_pair(a_, b_); }

  // Runs `task` to completion (bounded), returning its result.
  DeadlineResult run(asio::awaitable<DeadlineResult> task) {
    std::optional<DeadlineResult> result;
    asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, DeadlineResult r) {
      EXPECT_FALSE(e);
      result = r;
    });
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(result.has_value()) << "the race never ended";
    return result.value_or(DeadlineResult{});
  }

  asio::awaitable<DeadlineResult> read_with(Clock::time_point deadline) {
    co_return co_await with_deadline(a_.async_read_some(asio::buffer(buf_), asio::as_tuple(asio::use_awaitable)),
                                     timer_, deadline, cancel_of(a_));
  }

  asio::io_context io_;
  stream_protocol::socket a_, b_;
  asio::steady_timer timer_;
  char buf_[64] = {};
};

TEST_F(DeadlineTest, OperationFirstGivesItsBytes) {
  asio::write(b_, asio::buffer(std::string_view("hello")));
  const auto r = run(read_with(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(r.status, DeadlineStatus::kCompleted);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, 5u);
  EXPECT_EQ(std::string_view(buf_, 5), "hello");
}

TEST_F(DeadlineTest, OperationFirstGivesItsError) {
  b_.close();
  const auto r = run(read_with(Clock::now() + std::chrono::seconds(30)));
  EXPECT_TRUE(r.completed());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, asio::error::eof);
}

TEST_F(DeadlineTest, OperationWithoutByteCount) {
  // A connect-shaped operation (tuple<error_code>): a timer that expires
  // well before the deadline stands in for it.
  asio::steady_timer op(io_, milliseconds(10));
  const auto r = run(with_deadline(op.async_wait(asio::as_tuple(asio::use_awaitable)), timer_,
                                   Clock::now() + std::chrono::seconds(30), cancel_of(op)));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, 0u);
}

TEST_F(DeadlineTest, DeadlineFirstTimesOutAndCancelsTheRead) {
  const auto start = Clock::now();
  const auto r = run(read_with(start + milliseconds(50)));
  EXPECT_EQ(r.status, DeadlineStatus::kTimedOut);
  EXPECT_TRUE(r.timed_out());
  EXPECT_FALSE(r.ok());
  EXPECT_GE(Clock::now() - start, milliseconds(50));
  // The read was cancelled: bytes sent now are there for the next read.
  asio::write(b_, asio::buffer(std::string_view("later")));
  const auto next = run(read_with(Clock::now() + std::chrono::seconds(30)));
  EXPECT_TRUE(next.ok());
  EXPECT_EQ(std::string_view(buf_, next.bytes), "later");
}

TEST_F(DeadlineTest, CancelledTimerInterrupts) {
  asio::steady_timer poke(io_, milliseconds(20));
  poke.async_wait([this](boost::system::error_code) { timer_.cancel(); });
  const auto start = Clock::now();
  const auto r = run(read_with(start + std::chrono::seconds(30)));
  EXPECT_EQ(r.status, DeadlineStatus::kInterrupted);
  EXPECT_TRUE(r.interrupted());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  // The stream is usable after an interruption.
  asio::write(b_, asio::buffer(std::string_view("again")));
  const auto next = run(read_with(Clock::now() + std::chrono::seconds(30)));
  EXPECT_TRUE(next.ok());
  EXPECT_EQ(std::string_view(buf_, next.bytes), "again");
}

TEST_F(DeadlineTest, AnOperationThatCompletesLeavesNoTimerWaitBehind) {
  asio::write(b_, asio::buffer(std::string_view("x")));
  const auto r = run(read_with(Clock::now() + std::chrono::hours(1)));
  EXPECT_TRUE(r.ok());
  // Nothing is left pending (the hour-long wait was cancelled): the loop
  // runs dry at once.
  io_.restart();
  const auto start = Clock::now();
  io_.run_for(std::chrono::seconds(10));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace impulse::runtime
