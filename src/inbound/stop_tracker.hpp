// StopTracker: the graceful-stop bookkeeping of a listener that runs on
// several event loops (SPEC §1 graceful stop): how many sessions are open,
// how many loops have still to close their acceptors and sessions, and the
// one `done` callback to call when both reach zero after a stop was asked
// for. The ESMTP, ECStream and HTTP listeners use it.
//
//   if (tracker.request_stop(std::move(done), loops.size()))
//     for (auto& loop : loops) post(loop, [&] { ...close...; tracker.loop_stopped(); });
//   session start: tracker.session_started();  session end: tracker.session_ended();
//
// Leaves to the listener: closing acceptors and asking sessions to end.
// Threads: every member from any thread; `done` is called once, on the
// thread whose call made the last count reach zero (after a stop request),
// never under the tracker's lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>

namespace impulse::inbound {

class StopTracker {
 public:
  // Remembers `done` (a later non-empty one replaces an earlier one). True
  // on the first request: the caller then stops each of its `loops` loops
  // and calls loop_stopped() once per loop. A repeated request returns
  // false and calls `done` at once when everything has already ended.
  bool request_stop(std::function<void()> done, std::size_t loops);
  void loop_stopped();
  void session_started() { live_.fetch_add(1); }
  void session_ended();

  bool stop_requested() const { return stop_requested_; }
  std::size_t live() const { return live_; }

 private:
  void maybe_done();

  std::atomic<std::size_t> live_{0};
  std::atomic<std::size_t> loops_to_stop_{0};
  std::atomic<bool> stop_requested_{false};
  std::mutex mu_;
  std::function<void()> done_;
};

}  // namespace impulse::inbound
