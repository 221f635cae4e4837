// Implementation of inbound/esmtp_connection.hpp (Asio coroutines).
#include "inbound/esmtp_connection.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace impulse::inbound {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

void EsmtpConnection::PostingInjector::inject(ReceivedMessage message, Completion done) {
  auto owner = owner_.shared_from_this();
  inner_.inject(std::move(message), [owner, done = std::move(done)](Result<std::string> id) {
    auto executor = owner->socket_.get_executor();
    asio::post(executor, [owner, done, id = std::move(id)]() mutable {
      done(std::move(id));
      owner->wake_.cancel();
    });
  });
}

EsmtpConnection::EsmtpConnection(asio::ip::tcp::socket socket, const ListenerSettings& settings,
                                 std::shared_ptr<asio::ssl::context> tls, Injector& injector, SessionPeer peer,
                                 LogSink log, std::shared_ptr<const void> keep_alive)
    : keep_alive_(std::move(keep_alive)),
      socket_(std::move(socket)),
      tls_(std::move(tls)),
      deadline_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      idle_time_(effective_idle_time(settings)),
      peer_(std::move(peer)),
      log_(std::move(log)),
      injector_(injector, *this),
      session_(settings, peer_, injector_) {}

void EsmtpConnection::arm_deadline() {
  timed_out_ = false;
  deadline_.expires_after(idle_time_);  // wakes the watchdog, which re-waits on the new expiry
}

void EsmtpConnection::disarm_deadline() { deadline_.expires_at(asio::steady_timer::time_point::max()); }

awaitable<void> EsmtpConnection::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    if (deadline_.expiry() <= asio::steady_timer::clock_type::now()) {
      // Idle_Time ran out: cancel whatever waits on the socket; run() sees timed_out_.
      timed_out_ = true;
      disarm_deadline();
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
    co_await deadline_.async_wait(asio::as_tuple(use_awaitable));
  }
}

void EsmtpConnection::shutdown() {
  if (closed_ || shutting_down_) return;
  shutting_down_ = true;
  if (reading_) {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }
}

awaitable<bool> EsmtpConnection::write_output() {
  const std::string out = session_.take_output();
  arm_deadline();
  boost::system::error_code ec;
  if (tls_stream_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(*tls_stream_, asio::buffer(out), asio::as_tuple(use_awaitable));
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(out), asio::as_tuple(use_awaitable));
  }
  disarm_deadline();
  co_return !ec;
}

awaitable<std::size_t> EsmtpConnection::read_some(bool& ok) {
  arm_deadline();
  reading_ = true;
  boost::system::error_code ec;
  std::size_t n = 0;
  if (tls_stream_) {
    std::tie(ec, n) = co_await tls_stream_->async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable));
  } else {
    std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable));
  }
  reading_ = false;
  disarm_deadline();
  ok = !ec;
  co_return n;
}

awaitable<bool> EsmtpConnection::start_tls() {
  // Only what the client sends from now on is read, and only through TLS:
  // the session already dropped any plaintext that followed STARTTLS.
  tls_stream_.emplace(socket_, *tls_);
  arm_deadline();
  auto [ec] = co_await tls_stream_->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable));
  disarm_deadline();
  if (ec) {
    if (log_) log_("esmtp " + peer_.ip + ":" + std::to_string(peer_.port) + ": TLS handshake failed: " + ec.message());
    co_return false;
  }
  session_.tls_established();
  co_return true;
}

awaitable<void> EsmtpConnection::run() {
  auto self = shared_from_this();
  session_.start();
  bool alive = true;
  while (alive) {
    // Flush before blocking; an injection completing during a write adds more.
    while (alive && session_.has_output()) alive = co_await write_output();
    if (!alive) break;
    const auto next = session_.next();
    if (next == EsmtpSession::Next::Close) break;
    if (next == EsmtpSession::Next::StartTls) {
      if (!co_await start_tls()) break;
      continue;
    }
    if (next == EsmtpSession::Next::AwaitInjection) {
      // No network wait: the Injector answers (durably) or fails; its
      // completion is posted here and cancels this wait.
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(asio::as_tuple(use_awaitable));
      continue;
    }
    if (shutting_down_) {
      session_.shutdown();
      continue;
    }
    bool ok = false;
    const std::size_t n = co_await read_some(ok);
    if (!ok) {
      if (timed_out_) {
        session_.idle_timeout();
        continue;
      }
      if (shutting_down_) {
        session_.shutdown();
        continue;
      }
      break;  // peer closed or reset
    }
    session_.receive(std::string_view(buffer_.data(), n));
  }
  close();
}

void EsmtpConnection::close() {
  closed_ = true;
  deadline_.cancel();
  wake_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace impulse::inbound
