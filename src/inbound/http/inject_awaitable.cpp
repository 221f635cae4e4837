// Implementation of inbound/http/inject_awaitable.hpp.
#include "inbound/http/inject_awaitable.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <memory>

namespace impulse::inbound::http {

namespace asio = boost::asio;
using Results = std::vector<Result<std::string>>;

asio::awaitable<Results> inject_all(queue::Injector& injector, std::vector<queue::Injection> messages) {
  auto executor = co_await asio::this_coro::executor;
  const std::size_t count = messages.size();
  if (count == 0) co_return Results{};
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Results)>(
      [&injector, &messages, executor, count](auto handler) {
        using Handler = decltype(handler);
        struct Gather {
          Gather(Handler h, std::size_t n) : handler(std::move(h)), results(n, fail("not injected")), left(n) {}
          Handler handler;
          Results results;
          std::atomic<std::size_t> left;
        };
        auto gather = std::make_shared<Gather>(std::move(handler), count);
        for (std::size_t i = 0; i < count; ++i) {
          injector.inject(std::move(messages[i]), [gather, executor, i](Result<std::string> id) {
            gather->results[i] = std::move(id);  // each slot written by one completion only
            if (gather->left.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
            asio::post(executor, [gather] { std::move(gather->handler)(std::move(gather->results)); });
          });
        }
      },
      asio::use_awaitable);
}

}  // namespace impulse::inbound::http
