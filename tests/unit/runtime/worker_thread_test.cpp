// runtime::WorkerThread: a job runs on the worker thread, not the event
// loop's; the awaiting coroutine resumes on its own executor with the
// result; a job owning its data is destroyed once; a job's exception is
// rethrown there; jobs run one at a time.
#include "runtime/worker_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <stdexcept>
#include <thread>

namespace impulse::runtime {
namespace {

namespace asio = boost::asio;

TEST(WorkerThread, RunsTheJobOffTheLoopAndResumesOnIt) {
  asio::io_context io;
  WorkerThread worker("test-worker");
  std::thread::id job_thread, resumed_thread;
  int result = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    result = co_await worker.run([&] {
      job_thread = std::this_thread::get_id();
      return 42;
    });
    resumed_thread = std::this_thread::get_id();
  }, asio::detached);
  io.run();
  EXPECT_EQ(result, 42);
  EXPECT_NE(job_thread, std::thread::id());
  EXPECT_NE(job_thread, std::this_thread::get_id());
  EXPECT_EQ(resumed_thread, std::this_thread::get_id());
}

TEST(WorkerThread, AJobOwningStringsIsMovedAndDestroyedOnce) {
  asio::io_context io;
  WorkerThread worker("test-worker");
  std::string joined;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    std::string user(40, 'u'), password(40, 'p');  // heap-allocated, so a double free would show (ASan)
    // Named, as worker_thread.hpp asks: g++ 12 destroys a temporary lambda in the co_await expression twice.
    auto job = [user = std::move(user), password = std::move(password)] { return user + password; };
    joined = co_await worker.run(std::move(job));
  }, asio::detached);
  io.run();
  EXPECT_EQ(joined, std::string(40, 'u') + std::string(40, 'p'));
}

TEST(WorkerThread, AJobsExceptionReachesTheAwaitingCoroutine) {
  asio::io_context io;
  WorkerThread worker("test-worker");
  std::string caught;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    try {
      co_await worker.run([]() -> int { throw std::runtime_error("bad hash"); });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  }, asio::detached);
  io.run();
  EXPECT_EQ(caught, "bad hash");
}

TEST(WorkerThread, JobsRunOneAtATime) {
  asio::io_context io;
  WorkerThread worker("test-worker");
  std::atomic<int> running{0}, most{0}, done{0};
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      co_await worker.run([&] {
        const int now = ++running;
        if (now > most) most = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        return 0;
      });
      ++done;
    }, asio::detached);
  }
  io.run();
  EXPECT_EQ(done, 4);
  EXPECT_EQ(most, 1);
}

}  // namespace
}  // namespace impulse::runtime
