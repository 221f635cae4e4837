// Implementation of inbound/esmtp_connection.hpp (Asio coroutines).
#include "inbound/esmtp_connection.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "runtime/deadline.hpp"

namespace impulse::inbound {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using runtime::with_deadline;

void EsmtpConnection::PostingInjector::inject(queue::Injection message, Completion done) {
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
                                 std::shared_ptr<asio::ssl::context> tls, queue::Injector& injector, SessionPeer peer,
                                 LogSink log, std::shared_ptr<const void> keep_alive,
                                 runtime::WorkerThread* auth_worker)
    : keep_alive_(std::move(keep_alive)),
      socket_(std::move(socket)),
      tls_(std::move(tls)),
      deadline_(socket_.get_executor()),
      wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      idle_time_(effective_idle_time(settings)),
      peer_(std::move(peer)),
      log_(std::move(log)),
      auth_worker_(auth_worker),
      injector_(injector, *this),
      session_(settings, peer_, injector_) {
  session_.defer_password_checks(auth_worker_ != nullptr);
}

asio::steady_timer::time_point EsmtpConnection::idle_deadline() const {
  return asio::steady_timer::clock_type::now() + idle_time_;
}

void EsmtpConnection::shutdown() {
  if (closed_ || shutting_down_) return;
  shutting_down_ = true;
  if (reading_) deadline_.cancel();  // the read ends as interrupted; run() sends the 421
}

awaitable<bool> EsmtpConnection::write_output() {
  const std::string out = session_.take_output();
  runtime::DeadlineResult r;
  if (tls_stream_) {
    r = co_await with_deadline(asio::async_write(*tls_stream_, asio::buffer(out), asio::as_tuple(use_awaitable)),
                               deadline_, idle_deadline(), runtime::cancel_of(socket_));
  } else {
    r = co_await with_deadline(asio::async_write(socket_, asio::buffer(out), asio::as_tuple(use_awaitable)), deadline_,
                               idle_deadline(), runtime::cancel_of(socket_));
  }
  co_return r.ok();  // a client that does not read for Idle_Time is dropped
}

awaitable<runtime::DeadlineResult> EsmtpConnection::read_some() {
  reading_ = true;
  runtime::DeadlineResult r;
  if (tls_stream_) {
    r = co_await with_deadline(tls_stream_->async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                               deadline_, idle_deadline(), runtime::cancel_of(socket_));
  } else {
    r = co_await with_deadline(socket_.async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                               deadline_, idle_deadline(), runtime::cancel_of(socket_));
  }
  reading_ = false;
  co_return r;
}

awaitable<bool> EsmtpConnection::start_tls() {
  // Only what the client sends from now on is read, and only through TLS:
  // the session already dropped any plaintext that followed STARTTLS.
  tls_stream_.emplace(socket_, *tls_);
  const auto r = co_await with_deadline(
      tls_stream_->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable)), deadline_,
      idle_deadline(), runtime::cancel_of(socket_));
  if (!r.ok()) {
    const std::string why = r.completed() ? r.error.message() : "timed out";
    if (log_) log_("esmtp " + peer_.ip + ":" + std::to_string(peer_.port) + ": TLS handshake failed: " + why);
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
    if (next == EsmtpSession::Next::Delay) {
      // A held AUTH failure reply (a timer: the loop goes on serving others).
      wake_.expires_after(session_.delay());
      co_await wake_.async_wait(asio::as_tuple(use_awaitable));
      session_.delay_done();
      continue;
    }
    if (next == EsmtpSession::Next::Verify) {
      // SMTP AUTH: the crypt(3) check on the listener's worker thread, not this loop.
      bool valid = false;
      if (auto check = session_.take_check(); check && auth_worker_) {
        auto job = [check = std::move(*check)] { return check.run(); };  // named: see runtime/worker_thread.hpp
        valid = co_await auth_worker_->run(std::move(job));
      }
      session_.check_done(valid);
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
    const auto r = co_await read_some();
    if (r.timed_out()) {
      session_.idle_timeout();
      continue;
    }
    if (!r.ok()) {
      if (shutting_down_) {  // interrupted by shutdown() (or failed meanwhile)
        session_.shutdown();
        continue;
      }
      break;  // peer closed or reset
    }
    session_.receive(std::string_view(buffer_.data(), r.bytes));
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
