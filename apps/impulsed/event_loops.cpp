// Implementation of event_loops.hpp.
#include "event_loops.hpp"

#include <exception>

namespace impulse::daemon {

EventLoops::EventLoops(std::size_t count, ErrorSink on_error) : on_error_(std::move(on_error)) {
  if (count == 0) count = 1;
  for (std::size_t i = 0; i < count; ++i) {
    loops_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(loops_.back()->get_executor());
  }
}

EventLoops::~EventLoops() {
  stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<boost::asio::io_context*> EventLoops::all() {
  std::vector<boost::asio::io_context*> out;
  for (auto& l : loops_) out.push_back(l.get());
  return out;
}

void EventLoops::run_one(std::size_t i) {
  for (;;) {
    try {
      loops_[i]->run();
      return;
    } catch (const std::exception& e) {
      if (on_error_) on_error_("event loop " + std::to_string(i) + ": unhandled exception: " + e.what());
    } catch (...) {
      if (on_error_) on_error_("event loop " + std::to_string(i) + ": unhandled unknown exception");
    }
  }
}

void EventLoops::run() {
  for (std::size_t i = 1; i < loops_.size(); ++i) threads_.emplace_back([this, i] { run_one(i); });
  run_one(0);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void EventLoops::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& l : loops_) l->stop();
}

std::size_t default_event_loop_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace impulse::daemon
