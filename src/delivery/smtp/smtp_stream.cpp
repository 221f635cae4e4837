// Implementation of delivery/smtp/smtp_stream.hpp.
#include "delivery/smtp/smtp_stream.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>

#include "runtime/deadline.hpp"

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using runtime::cancel_of;
using runtime::with_deadline;

namespace {

// The deadline race's result as the stream reports it.
IoResult settle(const runtime::DeadlineResult& raced) {
  IoResult r;
  switch (raced.status) {
    case runtime::DeadlineStatus::kInterrupted: r.status = IoStatus::kInterrupted; return r;
    case runtime::DeadlineStatus::kTimedOut: r.status = IoStatus::kTimedOut; return r;
    case runtime::DeadlineStatus::kCompleted: break;
  }
  r.error = raced.error;
  r.bytes = raced.bytes;
  if (r.error) r.status = IoStatus::kError;
  return r;
}

}  // namespace

bool IoResult::peer_closed() const {
  if (status != IoStatus::kError) return false;
  return error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::broken_pipe || error == asio::error::connection_aborted ||
         error == asio::ssl::error::stream_truncated;
}

SmtpStream::SmtpStream(asio::any_io_executor executor) : socket_(executor), timer_(executor) {}

SmtpStream::~SmtpStream() = default;

awaitable<IoResult> SmtpStream::connect(const asio::ip::tcp::endpoint& remote,
                                        const std::optional<asio::ip::address>& source, Deadline deadline) {
  IoResult r;
  socket_.open(asio::generic::stream_protocol(remote.protocol()), r.error);
  if (!r.error && source) socket_.bind(Socket::endpoint_type(asio::ip::tcp::endpoint(*source, 0)), r.error);
  if (r.error) {
    r.status = IoStatus::kError;
    co_return r;
  }
  co_return settle(co_await with_deadline(
      socket_.async_connect(Socket::endpoint_type(remote), asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
}

awaitable<IoResult> SmtpStream::connect_local(const std::string& path, Deadline deadline) {
  IoResult r;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    r.error = asio::error::name_too_long;
    r.status = IoStatus::kError;
    co_return r;
  }
  const asio::local::stream_protocol::endpoint remote(path);
  socket_.open(asio::generic::stream_protocol(remote.protocol()), r.error);
  if (r.error) {
    r.status = IoStatus::kError;
    co_return r;
  }
  co_return settle(co_await with_deadline(
      socket_.async_connect(Socket::endpoint_type(remote), asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
}

awaitable<IoResult> SmtpStream::read_some(asio::mutable_buffer buffer, Deadline deadline) {
  if (tls_done_)
    co_return settle(co_await with_deadline(tls_->async_read_some(buffer, asio::as_tuple(use_awaitable)), timer_,
                                            deadline, cancel_of(socket_)));
  co_return settle(
      co_await with_deadline(socket_.async_read_some(buffer, asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
}

awaitable<IoResult> SmtpStream::write(asio::const_buffer bytes, Deadline deadline) {
  IoResult r;
  if (tls_done_) {
    r = settle(co_await with_deadline(asio::async_write(*tls_, bytes, asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
  } else {
    r = settle(
        co_await with_deadline(asio::async_write(socket_, bytes, asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
  }
  bytes_written_ += r.bytes;
  co_return r;
}

awaitable<IoResult> SmtpStream::handshake(asio::ssl::context& context, const std::string& server_name,
                                          Deadline deadline) {
  begin_tls(context, server_name);
  co_return co_await finish_tls(deadline);
}

SSL* SmtpStream::begin_tls(asio::ssl::context& context, const std::string& server_name) {
  tls_.emplace(socket_, context);
  boost::system::error_code ec;
  asio::ip::make_address(server_name, ec);
  if (!server_name.empty() && ec) SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
  return tls_->native_handle();
}

awaitable<IoResult> SmtpStream::finish_tls(Deadline deadline) {
  IoResult r = settle(co_await with_deadline(
      tls_->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(use_awaitable)), timer_, deadline, cancel_of(socket_)));
  if (r.ok()) tls_done_ = true;
  co_return r;
}

void SmtpStream::interrupt() { timer_.cancel(); }

void SmtpStream::close() {
  boost::system::error_code ignored;
  timer_.cancel();
  if (socket_.is_open()) {
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
}

std::string SmtpStream::local_address() const {
  boost::system::error_code ec;
  const auto ep = socket_.local_endpoint(ec);
  if (ec) return {};
  const int family = ep.data()->sa_family;
  if (family != AF_INET && family != AF_INET6) return {};  // a Unix socket has no address
  asio::ip::tcp::endpoint ip;
  std::memcpy(ip.data(), ep.data(), std::min<std::size_t>(ep.size(), ip.capacity()));
  ip.resize(std::min<std::size_t>(ep.size(), ip.capacity()));
  return ip.address().to_string();
}

}  // namespace impulse::delivery::smtp
