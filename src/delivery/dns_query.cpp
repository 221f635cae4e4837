// Implementation of delivery/dns_query.hpp.
#include "delivery/dns_query.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>

namespace impulse::delivery {

namespace asio = boost::asio;

boost::asio::awaitable<dns::Answer> query_dns(dns::Resolver& resolver, const std::string& name,
                                              dns::RecordType type,
                                              std::chrono::steady_clock::time_point deadline) {
  // Owned by this frame. The resolver's callback holds only a weak_ptr: a
  // query that never answers keeps its callback in the resolver, which may
  // outlive this loop's io_context, and a timer destroyed after its
  // io_context is a use after free (ASan, dane_lookup_test).
  struct State {
    explicit State(asio::any_io_executor executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<dns::Answer> answer;
  };
  auto state = std::make_shared<State>(co_await asio::this_coro::executor);
  state->timer.expires_at(deadline);
  resolver.query(name, type, [weak = std::weak_ptr<State>(state)](const dns::Answer& answer) {
    auto state = weak.lock();
    if (!state) return;  // answered after the deadline: nobody waits
    state->answer = answer;
    state->timer.cancel();
  });
  if (!state->answer) co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (state->answer) co_return std::move(*state->answer);
  dns::Answer late;
  late.status = dns::Status::Timeout;
  late.canonical_name = name;
  late.error_text = "no answer before the deadline";
  co_return late;
}

}  // namespace impulse::delivery
