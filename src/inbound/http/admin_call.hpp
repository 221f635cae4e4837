// admin_call<T>(admin_executor, start): the HTTP handlers' way to call
// admin::Admin (inbound/http/admin_routes.hpp, metrics_routes.hpp). `start`
// runs on `admin_executor` (loop 0, where the console calls Admin) and is
// given a callback; the value passed to that callback (exactly once, on any
// thread, as Admin promises) resumes the awaiting coroutine on the
// coroutine's own executor. A work guard keeps that executor alive
// meanwhile.
//
//   auto op = admin_call<admin::Summary>(ex, [a](auto done) { done(a->summary()); });
//   admin::Summary s = co_await std::move(op);
//
// Keep the awaitable in a named variable and co_await that: g++ 12 may
// destroy temporaries of a full expression containing a co_await twice (a
// lambda's captured string was freed twice when written inline).
// Not a coroutine itself. No deadline: Admin's callbacks always come (the
// listener bounds the request as a whole). Internal to inbound/http.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>

namespace impulse::inbound::http {

template <class T>
using AdminStart = std::function<void(std::function<void(T)>)>;

template <class T>
boost::asio::awaitable<T> admin_call(boost::asio::any_io_executor admin_executor, AdminStart<T> start) {
  namespace asio = boost::asio;
  auto init = [admin_executor](auto handler, AdminStart<T> begin) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto work = asio::make_work_guard(asio::get_associated_executor(*h));
    asio::post(admin_executor, [h, work, begin = std::move(begin)] {
      begin([h, work](T value) {
        asio::post(work.get_executor(), [h, value = std::move(value)]() mutable { std::move(*h)(std::move(value)); });
      });
    });
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(std::move(init), asio::use_awaitable,
                                                                     std::move(start));
}

}  // namespace impulse::inbound::http
