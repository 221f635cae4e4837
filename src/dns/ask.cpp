// Implementation of dns/ask.hpp.
#include "dns/ask.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace impulse::dns {

namespace asio = boost::asio;

namespace {

// Owned by ask_all's frame; the resolver's callbacks hold a weak_ptr.
struct Waiting {
  explicit Waiting(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;  // the deadline; cancelled when the last answer is in
  std::vector<std::optional<Answer>> answers;
  std::size_t unanswered = 0;
};

}  // namespace

asio::awaitable<std::vector<std::optional<Answer>>> ask_all(Resolver& resolver, const std::string& name,
                                                            std::vector<RecordType> types,
                                                            std::chrono::steady_clock::time_point deadline) {
  auto waiting = std::make_shared<Waiting>(co_await asio::this_coro::executor);
  waiting->timer.expires_at(deadline);
  waiting->answers.resize(types.size());
  waiting->unanswered = types.size();
  for (std::size_t i = 0; i < types.size(); ++i) {
    resolver.query(name, types[i], [weak = std::weak_ptr<Waiting>(waiting), i](const Answer& answer) {
      auto waiting = weak.lock();
      if (!waiting) return;  // after the deadline: nobody waits
      waiting->answers[i] = answer;
      if (--waiting->unanswered == 0) waiting->timer.cancel();
    });
  }
  // The timer's expiry without a cancel is the deadline.
  while (waiting->unanswered > 0) {
    auto [ec] = co_await waiting->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec) break;
  }
  co_return std::move(waiting->answers);
}

asio::awaitable<Answer> ask(Resolver& resolver, const std::string& name, RecordType type,
                            std::chrono::steady_clock::time_point deadline) {
  std::vector<RecordType> types{type};
  auto answers = co_await ask_all(resolver, name, std::move(types), deadline);
  if (answers.front()) co_return std::move(*answers.front());
  Answer late;
  late.status = Status::Timeout;
  late.canonical_name = name;
  late.error_text = "no answer before the deadline";
  co_return late;
}

}  // namespace impulse::dns
