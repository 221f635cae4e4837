// Implementation of delivery/mm7/mm7_keep_id.hpp.
#include "delivery/mm7/mm7_keep_id.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <utility>

#include "runtime/deadline.hpp"

namespace impulse::delivery::mm7 {

namespace asio = boost::asio;

asio::awaitable<void> keep_message_id(Mm7MessageIds& ids, std::string remote_id, Mm7Submission submission,
                                      WallTime expires, std::chrono::milliseconds wait) {
  auto executor = co_await asio::this_coro::executor;
  // Both ends run on `executor` (the write's callback posts there; the
  // deadline's cancel runs in the timer's handler): whichever comes first
  // resumes the coroutine, the other finds it done.
  struct Pending {
    bool done = false;
    std::function<void(boost::system::error_code)> resume;
    void finish(boost::system::error_code ec) {
      if (done) return;
      done = true;
      resume(ec);
    }
  };
  auto pending = std::make_shared<Pending>();
  const std::string id_for_log = remote_id;
  asio::steady_timer timer(executor);
  auto token = asio::as_tuple(asio::use_awaitable);  // async_initiate takes the token by reference
  auto write = asio::async_initiate<decltype(token), void(boost::system::error_code)>(
      [&](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        pending->resume = [shared](boost::system::error_code ec) { std::move(*shared)(ec); };
        ids.remember(std::move(remote_id), std::move(submission), expires, [pending, executor](Result<void>) {
          asio::post(executor, [pending] { pending->finish({}); });
        });
      },
      token);
  // Named, not temporaries inside the co_await expression: with them as
  // temporaries, g++ 12 at -Og released one shared_ptr once too often (ASan:
  // a heap-use-after-free of `pending`'s control block); g++'s coroutines
  // have had several bugs in the lifetime of such temporaries.
  auto on_timeout = [pending] { pending->finish(asio::error::operation_aborted); };
  const auto r = co_await runtime::with_deadline(std::move(write), timer, std::chrono::steady_clock::now() + wait,
                                                 std::move(on_timeout));
  if (r.timed_out()) ids.report_slow_write(id_for_log, wait);
}

}  // namespace impulse::delivery::mm7
