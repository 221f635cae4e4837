// runtime::with_deadline: the one deadline helper. Runs an Asio operation
// (started with `as_tuple(use_awaitable)`, so failures are values) under a
// deadline kept by a steady_timer, and says how it ended:
//
//   kCompleted    the operation finished first; `error` is its error_code
//                 (maybe an I/O error) and `bytes` its byte count, for the
//                 operations that report one (read_some, async_write)
//   kTimedOut     the deadline passed first; the operation was cancelled
//   kInterrupted  someone cancelled the timer (timer.cancel()) while the
//                 operation ran; the operation was cancelled. This is how an
//                 idle wait is ended early on purpose (a connection woken for
//                 new work, a listener stopping)
//
//   auto r = co_await runtime::with_deadline(
//       socket.async_read_some(buffer, asio::as_tuple(asio::use_awaitable)), timer_, deadline,
//       runtime::cancel_of(socket));
//   if (r.timed_out()) ...; if (!r.ok()) ...; consume(r.bytes);
//
// How: the timer's wait handler, when the deadline passes or the timer is
// cancelled while the operation is pending, calls `cancel` (which must make
// the operation complete, normally by cancelling the I/O object it runs
// on). This costs one timer wait per operation, and no extra coroutine
// frames or parallel group (the awaitable operator || race cost several
// allocations per read: measurable at thousands of SMTP commands a second).
// An operation that completed without error is kCompleted even if the
// deadline passed at the same moment.
//
// The caller owns the timer (so it can interrupt) and keeps it, the object
// the operation runs on and what `cancel` touches alive for the operation;
// one operation per timer and per I/O object at a time (cancelling the
// object cancels everything pending on it). with_deadline sets the timer's
// expiry, which cancels any other wait on that timer. A timer.cancel() that
// happens when no operation runs is not remembered. After kTimedOut the
// stream may be in any state: drop it. A cancelled read on an
// asio::ssl::stream keeps the TLS state consistent, so after kInterrupted a
// stream can be used again.
//
// Executor: runs on the awaiting coroutine's executor (the timer and the
// operation must belong to it). Nothing throws except allocation.
// Internal to the libraries built on Asio (includes Asio headers).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <cstddef>
#include <tuple>
#include <type_traits>

namespace impulse::runtime {

enum class DeadlineStatus { kCompleted, kTimedOut, kInterrupted };

struct DeadlineResult {
  DeadlineStatus status = DeadlineStatus::kCompleted;
  boost::system::error_code error;  // kCompleted: the operation's own result
  std::size_t bytes = 0;            // kCompleted: bytes transferred (0 for operations without a count)

  bool completed() const { return status == DeadlineStatus::kCompleted; }
  bool ok() const { return completed() && !error; }
  bool timed_out() const { return status == DeadlineStatus::kTimedOut; }
  bool interrupted() const { return status == DeadlineStatus::kInterrupted; }
};

// The usual `cancel`: cancel every operation pending on `io` (a socket, where
// a TLS stream's operations run too; or a timer). `io` must outlive the wait.
template <class IoObject>
auto cancel_of(IoObject& io) {
  return [&io] {
    if constexpr (requires(boost::system::error_code& ec) { io.cancel(ec); }) {
      boost::system::error_code ignored;  // sockets: an error here only means "not open"
      io.cancel(ignored);
    } else {
      io.cancel();  // timers
    }
  };
}

// `operation` yields std::tuple<error_code> (connect, handshake, wait) or
// std::tuple<error_code, std::size_t> (read_some, write). `cancel` is called
// at most once, from the timer's handler, while the operation is pending.
template <class Cancel, class... Rest>
boost::asio::awaitable<DeadlineResult> with_deadline(
    boost::asio::awaitable<std::tuple<boost::system::error_code, Rest...>> operation, boost::asio::steady_timer& timer,
    std::chrono::steady_clock::time_point deadline, Cancel cancel) {
  static_assert(sizeof...(Rest) == 0 || (sizeof...(Rest) == 1 && (std::is_convertible_v<Rest, std::size_t> && ...)),
                "with_deadline: the operation must yield (error_code) or (error_code, size_t)");
  struct State {
    bool pending = true;
    DeadlineStatus ended = DeadlineStatus::kCompleted;
  };
  auto state = std::make_shared<State>();
  timer.expires_at(deadline);
  timer.async_wait([state, cancel = std::move(cancel)](const boost::system::error_code& ec) mutable {
    if (!state->pending) return;  // the operation finished first (or a later wait replaced this one)
    state->pending = false;
    state->ended = ec == boost::asio::error::operation_aborted ? DeadlineStatus::kInterrupted
                                                                : DeadlineStatus::kTimedOut;
    cancel();
  });
  const auto done = co_await std::move(operation);
  const bool timer_won = !state->pending;
  state->pending = false;
  if (!timer_won) timer.cancel();  // its handler, when it runs, sees pending = false
  DeadlineResult result;
  result.error = std::get<0>(done);
  if (timer_won && result.error) {
    result.status = state->ended;
    result.error = {};
    co_return result;
  }
  if constexpr (sizeof...(Rest) == 1) result.bytes = static_cast<std::size_t>(std::get<1>(done));
  co_return result;
}

}  // namespace impulse::runtime
