// runtime::with_deadline: the one deadline helper. Races an Asio operation
// (started with `as_tuple(use_awaitable)`, so failures are values) against a
// steady_timer (awaitable operator ||) and says how the race ended:
//
//   kCompleted    the operation finished first; `error` is its error_code
//                 (maybe an I/O error) and `bytes` its byte count, for the
//                 operations that report one (read_some, async_write)
//   kTimedOut     the deadline passed first; the operation was cancelled
//   kInterrupted  someone cancelled the timer (timer.cancel()) while the
//                 race was on; the operation was cancelled. This is how an
//                 idle wait is ended early on purpose (a connection woken for
//                 new work, a listener stopping)
//
//   auto r = co_await runtime::with_deadline(
//       socket.async_read_some(buffer, asio::as_tuple(asio::use_awaitable)), timer_, deadline);
//   if (r.timed_out()) ...; if (!r.ok()) ...; consume(r.bytes);
//
// The caller owns the timer (so it can interrupt) and keeps it, and the
// object the operation runs on, alive for the race; one race per timer at a
// time. with_deadline sets the timer's expiry, which cancels any other wait
// on that timer. A timer.cancel() that happens when no race is on is not
// remembered. After kTimedOut the stream may be in any state: drop it. A
// cancelled read on an asio::ssl::stream keeps the TLS state consistent, so
// after kInterrupted a stream can be used again.
//
// Executor: runs on the awaiting coroutine's executor (the timer and the
// operation must belong to it). Nothing throws except allocation.
// Internal to the libraries built on Asio (includes Asio headers).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <variant>

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

// `operation` yields std::tuple<error_code> (connect, handshake, wait) or
// std::tuple<error_code, std::size_t> (read_some, write).
template <class... Rest>
boost::asio::awaitable<DeadlineResult> with_deadline(
    boost::asio::awaitable<std::tuple<boost::system::error_code, Rest...>> operation, boost::asio::steady_timer& timer,
    std::chrono::steady_clock::time_point deadline) {
  static_assert(sizeof...(Rest) == 0 || (sizeof...(Rest) == 1 && (std::is_convertible_v<Rest, std::size_t> && ...)),
                "with_deadline: the operation must yield (error_code) or (error_code, size_t)");
  using namespace boost::asio::experimental::awaitable_operators;
  timer.expires_at(deadline);
  const auto raced =
      co_await (std::move(operation) || timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
  DeadlineResult result;
  if (raced.index() == 1) {
    const auto [timer_error] = std::get<1>(raced);
    result.status = timer_error == boost::asio::error::operation_aborted ? DeadlineStatus::kInterrupted
                                                                         : DeadlineStatus::kTimedOut;
    co_return result;
  }
  const auto& done = std::get<0>(raced);
  result.error = std::get<0>(done);
  if constexpr (sizeof...(Rest) == 1) result.bytes = static_cast<std::size_t>(std::get<1>(done));
  co_return result;
}

}  // namespace impulse::runtime
