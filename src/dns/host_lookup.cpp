// Implementation of dns/host_lookup.hpp.
#include "dns/host_lookup.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace impulse::dns {

namespace asio = boost::asio;

namespace {

// Owned by lookup_host's frame; the resolver's callbacks hold a weak_ptr
// (an unanswered query's callback may outlive the loop's io_context, and
// the timer must not).
struct Lookup {
  explicit Lookup(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;  // the deadline; cancelled when the last answer is in
  int waiting = 0;
  std::vector<config::IpAddress> v4;
  std::vector<config::IpAddress> v6;
  bool nxdomain = false;
  std::string failure;  // the first servfail/timeout, with the resolver's detail
};

}  // namespace

asio::awaitable<impulse::expected<std::vector<config::IpAddress>, std::string>> lookup_host(
    Resolver& resolver, std::string name, AddressPolicy policy, std::chrono::milliseconds deadline) {
  if (auto ip = config::parse_ip(name)) co_return std::vector<config::IpAddress>{*ip};
  auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor);
  lookup->timer.expires_after(deadline);
  auto ask = [&](RecordType type) {
    ++lookup->waiting;
    resolver.query(name, type, [weak = std::weak_ptr<Lookup>(lookup), type](const Answer& answer) {
      auto lookup = weak.lock();
      if (!lookup) return;  // after the deadline: nobody waits
      if (answer.status == Status::Ok) {
        for (const auto& ip : answer.addresses)
          if (ip.v6 == (type == RecordType::AAAA)) (ip.v6 ? lookup->v6 : lookup->v4).push_back(ip);
      } else if (answer.status == Status::NxDomain) {
        lookup->nxdomain = true;
      } else if ((answer.status == Status::ServFail || answer.status == Status::Timeout) && lookup->failure.empty()) {
        lookup->failure = std::string(record_type_name(type)) + " " + status_name(answer.status) +
                          (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
      }
      if (--lookup->waiting == 0) lookup->timer.cancel();
    });
  };
  ask(RecordType::A);
  if (wants_aaaa(policy)) ask(RecordType::AAAA);
  // Callbacks are posted, never run inside query(): the answers come while
  // we wait. The timer's expiry without a cancel is the deadline.
  while (lookup->waiting > 0) {
    auto [ec] = co_await lookup->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec) break;
  }
  auto addresses = order_addresses(lookup->v4, lookup->v6, policy);
  if (!addresses.empty()) co_return addresses;
  if (lookup->waiting > 0)
    co_return impulse::unexpected("resolving " + name + " timed out after " + std::to_string(deadline.count()) + " ms");
  if (!lookup->failure.empty()) co_return impulse::unexpected("cannot resolve " + name + ": " + lookup->failure);
  if (lookup->nxdomain) co_return impulse::unexpected("cannot resolve " + name + ": no such domain (NXDOMAIN)");
  co_return impulse::unexpected("cannot resolve " + name + ": no " + (wants_aaaa(policy) ? "A or AAAA" : "A") +
                                " record");
}

}  // namespace impulse::dns
