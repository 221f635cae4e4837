// Implementation of inbound/ecstream_connection.hpp (Asio coroutines).
#include "inbound/ecstream_connection.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace impulse::inbound {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using runtime::with_deadline;

namespace {
constexpr std::chrono::seconds kLinger{2};
}  // namespace

void EcstreamConnection::PostingInjector::inject(queue::Injection message, Completion done) {
  auto owner = owner_.shared_from_this();
  inner_.inject(std::move(message), [owner, done = std::move(done)](Result<std::string> id) {
    auto executor = owner->socket_.get_executor();
    asio::post(executor, [owner, done, id = std::move(id)]() mutable {
      done(std::move(id));
      owner->wake();
    });
  });
}

EcstreamConnection::EcstreamConnection(asio::ip::tcp::socket socket,
                                       std::shared_ptr<const EcstreamListenerSettings> settings,
                                       std::shared_ptr<asio::ssl::context> tls, queue::Injector& injector,
                                       EcstreamPeer peer, LogSink log, runtime::ProblemSink problems,
                                       std::shared_ptr<const void> keep_alive)
    : keep_alive_(std::move(keep_alive)),
      settings_(std::move(settings)),
      socket_(std::move(socket)),
      tls_(std::move(tls)),
      read_deadline_(socket_.get_executor()),
      write_deadline_(socket_.get_executor()),
      read_wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      write_wake_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      idle_time_(effective_idle_time(settings_->listen)),
      peer_(std::move(peer)),
      log_(std::move(log)),
      problems_(std::move(problems)),
      injector_(injector, *this),
      session_(*settings_, peer_, injector_) {}

asio::steady_timer::time_point EcstreamConnection::idle_deadline() const {
  return asio::steady_timer::clock_type::now() + idle_time_;
}

void EcstreamConnection::wake() {
  read_wake_.cancel();
  write_wake_.cancel();
}

void EcstreamConnection::shutdown() {
  if (closed_) return;
  if (!started_) {  // still in the TLS handshake: nothing said yet, nothing in flight
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    stop_before_start_ = true;
    return;
  }
  session_.shutdown();
  wake();
}

awaitable<bool> EcstreamConnection::handshake() {
  tls_stream_.emplace(socket_, *tls_);
  const auto r = co_await with_deadline(
      tls_stream_->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable)), write_deadline_,
      idle_deadline(), runtime::cancel_of(socket_));
  if (!r.ok()) {
    const std::string why = r.completed() ? r.error.message() : "timed out";
    if (log_) log_("ecstream " + peer_.ip + ":" + std::to_string(peer_.port) + ": TLS handshake failed: " + why);
    co_return false;
  }
  co_return true;
}

awaitable<bool> EcstreamConnection::write_output() {
  const std::string out = session_.take_output();
  runtime::DeadlineResult r;
  if (tls_stream_) {
    r = co_await with_deadline(asio::async_write(*tls_stream_, asio::buffer(out), asio::as_tuple(use_awaitable)),
                               write_deadline_, idle_deadline(), runtime::cancel_of(socket_));
  } else {
    r = co_await with_deadline(asio::async_write(socket_, asio::buffer(out), asio::as_tuple(use_awaitable)),
                               write_deadline_, idle_deadline(), runtime::cancel_of(socket_));
  }
  co_return r.ok();  // a client that does not read for ECStream_Idle_Time is dropped
}

awaitable<void> EcstreamConnection::read_loop() {
  while (!closed_ && (lingering_ || !session_.finished())) {
    if (!session_.wants_input() && !lingering_) {
      if (session_.finished()) break;
      // Window full (or draining): wait for a completion, shutdown or close.
      read_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await read_wake_.async_wait(asio::as_tuple(use_awaitable));
      continue;
    }
    runtime::DeadlineResult r;
    if (tls_stream_) {
      r = co_await with_deadline(tls_stream_->async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                                 read_deadline_, idle_deadline(), runtime::cancel_of(socket_));
    } else {
      r = co_await with_deadline(socket_.async_read_some(asio::buffer(buffer_), asio::as_tuple(use_awaitable)),
                                 read_deadline_, idle_deadline(), runtime::cancel_of(socket_));
    }
    if (r.timed_out()) {
      session_.idle_timeout();
      write_wake_.cancel();
      if (session_.in_flight() == 0) break;
      continue;
    }
    if (!r.ok()) {
      session_.peer_closed();
      break;
    }
    if (lingering_) continue;  // discarded
    session_.receive(std::string_view(buffer_.data(), r.bytes));
    if (session_.has_output()) write_wake_.cancel();
  }
  reader_done_ = true;
  write_wake_.cancel();
}

awaitable<void> EcstreamConnection::run() {
  auto self = shared_from_this();
  // Awaited on its own line: g++ 12 miscompiles co_await inside && / ||.
  bool shaken = true;
  if (tls_) shaken = co_await handshake();
  if (!shaken || stop_before_start_) {
    close();
    co_return;
  }
  session_.start();
  started_ = true;
  runtime::spawn(socket_.get_executor(), "ecstream_reader " + peer_.ip + ":" + std::to_string(peer_.port),
                 [](std::shared_ptr<EcstreamConnection> c) -> awaitable<void> { co_await c->read_loop(); }(self),
                 {.problems = problems_});
  for (;;) {
    if (session_.has_output()) {
      if (!co_await write_output()) break;
      continue;
    }
    if (session_.finished()) break;
    if (reader_done_ && session_.in_flight() == 0) break;
    write_wake_.expires_at(asio::steady_timer::time_point::max());
    co_await write_wake_.async_wait(asio::as_tuple(use_awaitable));
  }
  if (!reader_done_) co_await linger();
  close();
}

awaitable<void> EcstreamConnection::linger() {
  // Our last frame (ERROR, GOAWAY) is written: half-close and let the
  // client's remaining bytes drain for a moment, so closing does not
  // reset the connection and destroy that frame before it is read.
  lingering_ = true;
  read_wake_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  const auto until = asio::steady_timer::clock_type::now() + std::min<std::chrono::seconds>(idle_time_, kLinger);
  while (!reader_done_) {
    write_wake_.expires_at(until);
    const auto [ec] = co_await write_wake_.async_wait(asio::as_tuple(use_awaitable));
    if (!ec) break;  // the deadline passed
  }
}

void EcstreamConnection::close() {
  if (closed_) return;
  closed_ = true;
  read_wake_.cancel();
  write_wake_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace impulse::inbound
