// EventLoops: one boost::asio::io_context per event-loop thread
// (docs/architecture.md "Ownership"). Loop 0 runs on the thread that calls run(); the others get
// their own threads. Each loop is kept alive by a work guard until stop().
// An exception escaping a handler is a bug: it is reported through the
// given callback and that loop resumes.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace impulse::daemon {

class EventLoops {
 public:
  using ErrorSink = std::function<void(const std::string&)>;
  EventLoops(std::size_t count, ErrorSink on_error);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  std::size_t size() const { return loops_.size(); }
  boost::asio::io_context& loop(std::size_t i) { return *loops_[i]; }
  std::vector<boost::asio::io_context*> all();

  // Runs every loop; returns when all have stopped (after stop()).
  void run();
  // Lets the loops finish: releases the work guards and stops the contexts.
  void stop();

 private:
  void run_one(std::size_t i);
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  ErrorSink on_error_;
};

// Number of event loops for this machine: one per core (at least 1).
std::size_t default_event_loop_count();

}  // namespace impulse::daemon
