// Implementation of runtime/acceptor.hpp (the loop, compiled once per protocol).
#include "runtime/acceptor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace impulse::runtime {

namespace asio = boost::asio;

template <class Protocol>
Acceptor<Protocol>::Acceptor(acceptor_type bound, AcceptOptions options)
    : acceptor_(std::move(bound)), retry_(acceptor_.get_executor()), options_(std::move(options)) {}

template <class Protocol>
void Acceptor<Protocol>::start(OnAccept on_accept) {
  spawn(acceptor_.get_executor(), options_.name, run(std::move(on_accept)), SpawnHooks{.problems = options_.problems});
}

template <class Protocol>
void Acceptor<Protocol>::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);  // a pending accept ends with operation_aborted
  retry_.cancel();           // so does a back-off wait
}

template <class Protocol>
typename Acceptor<Protocol>::endpoint_type Acceptor<Protocol>::local_endpoint() const {
  boost::system::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

template <class Protocol>
asio::awaitable<void> Acceptor<Protocol>::run(OnAccept on_accept) {
  auto self = this->shared_from_this();
  while (!stopped_) {
    auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (stopped_ || !acceptor_.is_open() || error == asio::error::operation_aborted) co_return;
    if (!error) {
      on_accept(std::move(socket));
      continue;
    }
    // EMFILE and friends leave the connection queued: retrying at once would
    // fail at once. Wait, whatever the error, so the loop never spins.
    ++failures_;
    report(options_.problems, options_.name + ": accept failed: " + error.message());
    retry_.expires_after(options_.backoff);
    co_await retry_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

template class Acceptor<asio::ip::tcp>;
template class Acceptor<asio::local::stream_protocol>;

}  // namespace impulse::runtime
