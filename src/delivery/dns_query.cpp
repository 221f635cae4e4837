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
  // Shared with the resolver's callback, which may come after this frame is gone.
  struct State {
    explicit State(asio::any_io_executor executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<dns::Answer> answer;
  };
  auto state = std::make_shared<State>(co_await asio::this_coro::executor);
  state->timer.expires_at(deadline);
  resolver.query(name, type, [state](const dns::Answer& answer) {
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
