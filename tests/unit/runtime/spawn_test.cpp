// runtime::spawn: an escaped exception is reported with the task's name;
// on_done sees the exception, or a null pointer when the task ended normally.
#include "runtime/spawn.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <stdexcept>

namespace impulse::runtime {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> throws_after_a_wait(std::string what) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
  co_await t.async_wait(asio::use_awaitable);
  throw std::runtime_error(what);
}

asio::awaitable<void> counts(int& n) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
  co_await t.async_wait(asio::use_awaitable);
  ++n;
}

asio::awaitable<void> throws_a_non_std_exception() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  throw 42;
}

TEST(Spawn, EscapedExceptionIsReportedWithTheName) {
  asio::io_context io;
  std::vector<std::string> problems;
  std::exception_ptr seen;
  int done_calls = 0;
  spawn(io.get_executor(), "control session 3", throws_after_a_wait("peer vanished"),
        {.problems = [&](std::string_view line) { problems.emplace_back(line); },
         .on_done =
             [&](std::exception_ptr e) {
               ++done_calls;
               seen = e;
               EXPECT_EQ(problems.size(), 1u) << "the problem is reported before on_done";
             }});
  io.run();  // returns: the exception did not escape run()
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "control session 3: peer vanished");
  EXPECT_EQ(done_calls, 1);
  ASSERT_TRUE(seen);
  EXPECT_THROW(std::rethrow_exception(seen), std::runtime_error);
}

TEST(Spawn, NormalEndCallsOnDoneWithoutException) {
  asio::io_context io;
  std::vector<std::string> problems;
  int n = 0;
  int done_calls = 0;
  bool had_exception = true;
  spawn(io.get_executor(), "counter", counts(n),
        {.problems = [&](std::string_view line) { problems.emplace_back(line); },
         .on_done =
             [&](std::exception_ptr e) {
               ++done_calls;
               had_exception = static_cast<bool>(e);
             }});
  EXPECT_EQ(n, 0) << "spawn does not run the task inline";
  io.run();
  EXPECT_EQ(n, 1);
  EXPECT_EQ(done_calls, 1);
  EXPECT_FALSE(had_exception);
  EXPECT_TRUE(problems.empty());
}

TEST(Spawn, NonStdExceptionIsReportedAsUnknown) {
  asio::io_context io;
  std::vector<std::string> problems;
  spawn(io.get_executor(), "odd task", throws_a_non_std_exception(),
        {.problems = [&](std::string_view line) { problems.emplace_back(line); }});
  io.run();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "odd task: unknown exception");
}

TEST(Spawn, WithoutASinkTheProblemGoesToStderr) {
  asio::io_context io;
  ::testing::internal::CaptureStderr();
  spawn(io.get_executor(), "lonely task", throws_after_a_wait("nobody listens"));
  io.run();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("lonely task: nobody listens"), std::string::npos) << err;
}

TEST(Spawn, ManyTasksEachReportTheirOwnName) {
  asio::io_context io;
  std::vector<std::string> problems;
  int finished = 0;
  for (int i = 0; i < 50; ++i)
    spawn(io.get_executor(), "task " + std::to_string(i), throws_after_a_wait("failed"),
          {.problems = [&](std::string_view line) { problems.emplace_back(line); },
           .on_done = [&](std::exception_ptr) { ++finished; }});
  io.run();
  EXPECT_EQ(finished, 50);
  ASSERT_EQ(problems.size(), 50u);
  std::sort(problems.begin(), problems.end());
  EXPECT_NE(std::find(problems.begin(), problems.end(), "task 17: failed"), problems.end());
}

TEST(Spawn, DescribeFailure) {
  EXPECT_EQ(describe_failure("x", nullptr), "");
  EXPECT_EQ(describe_failure("x", std::make_exception_ptr(std::logic_error("bad"))), "x: bad");
}

}  // namespace
}  // namespace impulse::runtime
