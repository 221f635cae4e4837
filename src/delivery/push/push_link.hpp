// PushLink: the connection of one push session and its replacement inside
// the session, written once for APN (http2::Http2Connection) and GCM
// (gcm::GcmLink) (SPEC §11 "Within one attempt": a request the server did
// not process, GOAWAY, or APNs 503 Shutdown is sent again on a new
// connection to the same address, which then serves every later delivery
// of the session). fresh(failed) gives a usable connection other than
// `failed`: the current one if another stream already replaced it, else a
// new one; one reconnect at a time, the other streams wanting one wait for
// it on a timer whose expiry the reconnecting caller set once (deadline:
// connect_timeout; setting it again would cancel the other waits). The
// replaced connection is drained (it finishes what it carries). A null
// link (no credentials configured: nothing to connect with) idles as
// closed.
//
// Link must offer: static connect(any_io_executor, const Options&) ->
// awaitable<expected<shared_ptr<Link>, http2::Http2Error>>, usable(),
// drain(), idle(ms) -> awaitable<http2::Http2IdleEnd>, wake(), close(ms).
// Leaves to others: what to send, when to move (the sessions), the
// connect deadlines (Link::connect keeps connect_timeout itself).
// Executor: the session's loop; not thread-safe. Never throws except
// std::bad_alloc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <utility>

#include "delivery/http2/http2_connection.hpp"
#include "delivery/transport.hpp"

namespace impulse::delivery::push {

template <class Link, class Options>
class PushLink {
 public:
  using Ptr = std::shared_ptr<Link>;

  // `options` (where to reconnect) belongs to the session and outlives this.
  PushLink(boost::asio::any_io_executor executor, const Options& options, std::chrono::milliseconds connect_timeout,
           Ptr link)
      : executor_(std::move(executor)),
        options_(&options),
        connect_timeout_(connect_timeout),
        link_(std::move(link)),
        reconnected_(executor_) {}
  PushLink(const PushLink&) = delete;
  PushLink& operator=(const PushLink&) = delete;

  // The connection now (null: none, see above).
  const Ptr& current() const { return link_; }
  // Usable, or being replaced.
  bool usable() const { return link_ && (link_->usable() || reconnecting_); }

  // A usable connection other than `failed`; null when none could be opened.
  boost::asio::awaitable<Ptr> fresh(Ptr failed) {
    while (reconnecting_ && std::chrono::steady_clock::now() < reconnected_.expiry())
      co_await reconnected_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (link_ && link_ != failed && link_->usable()) co_return link_;
    if (reconnecting_) co_return nullptr;
    reconnecting_ = true;
    reconnected_.expires_after(connect_timeout_);
    auto opened = co_await Link::connect(executor_, *options_);
    reconnecting_ = false;
    reconnected_.cancel();
    if (!opened) co_return nullptr;
    Ptr old = std::exchange(link_, std::move(*opened));
    if (old) old->drain();
    co_return link_;
  }

  boost::asio::awaitable<SessionIdleEnd> idle(std::chrono::milliseconds timeout) {
    if (!link_) co_return SessionIdleEnd::kClosed;
    const http2::Http2IdleEnd end = co_await link_->idle(timeout);
    SessionIdleEnd mapped = SessionIdleEnd::kClosed;
    if (end == http2::Http2IdleEnd::kWoken) mapped = SessionIdleEnd::kWoken;
    if (end == http2::Http2IdleEnd::kTimedOut) mapped = SessionIdleEnd::kTimedOut;
    co_return mapped;
  }

  void wake() {
    if (link_) link_->wake();
  }

  boost::asio::awaitable<void> close() {
    if (link_) co_await link_->close(kCloseTimeout);
  }

 private:
  static constexpr std::chrono::seconds kCloseTimeout{2};

  boost::asio::any_io_executor executor_;
  const Options* options_;
  std::chrono::milliseconds connect_timeout_;
  Ptr link_;
  bool reconnecting_ = false;
  boost::asio::steady_timer reconnected_;
};

}  // namespace impulse::delivery::push
