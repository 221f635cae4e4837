// runtime::WorkerThread: one thread for short CPU-bound jobs that must not
// run on an event loop, such as a crypt(3) password check (a yescrypt hash
// costs ~10 ms of CPU: on loop 0 that would stall every console client,
// signals and reloads for as long).
//
//   runtime::WorkerThread worker("console-login");
//   const bool valid = co_await worker.run([check, user, pw] { return check(user, pw); });
//
// run() is awaited from a coroutine on any executor: the job runs on the
// worker thread, and the coroutine resumes on its own executor with the
// job's result (or the job's exception, rethrown there). Jobs run one at a
// time in the order given, so the worker never takes more than one core;
// the caller bounds how many it queues (the console: one per connection).
// The thread is started by the constructor and named (pthread name, at most
// 15 characters shown by top/ps).
// Pass the job as a named object (std::move(job)), not a temporary lambda
// in the co_await expression: g++ 12 may destroy such a temporary twice.
// Leaves to others: deadlines (a job is short and, once started, cannot be
// cancelled); what the job touches must be safe to use from another thread.
// Destruction stops the thread after the running job; jobs not started are
// dropped with their awaiting coroutines' handlers, so destroy the worker
// after the event loops that await it have stopped.
// Internal to the libraries built on Asio (includes Asio headers).
#pragma once

#include <pthread.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <type_traits>
#include <utility>

namespace impulse::runtime {

class WorkerThread {
 public:
  explicit WorkerThread(std::string name) {
    boost::asio::post(pool_, [name = std::move(name)] {
      ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
    });
  }
  ~WorkerThread() {
    pool_.stop();
    pool_.join();
  }
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Not a coroutine itself: the job goes straight into call()'s frame.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&>> run(Job job) {
    static_assert(!std::is_void_v<std::invoke_result_t<Job&>>, "WorkerThread::run: the job must return a value");
    return boost::asio::co_spawn(pool_.get_executor(), call(std::move(job)), boost::asio::use_awaitable);
  }

 private:
  // A coroutine function rather than a capturing lambda coroutine: g++ 12
  // destroyed the captures of a lambda coroutine twice under co_spawn.
  template <class Job>
  static boost::asio::awaitable<std::invoke_result_t<Job&>> call(Job job) {
    co_return job();
  }

  boost::asio::thread_pool pool_{1};
};

}  // namespace impulse::runtime
