// Implementation of delivery/smtp/smtp_stream.hpp.
#include "delivery/smtp/smtp_stream.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <variant>

namespace impulse::delivery::smtp {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {

// Maps the result of `operation || timer` to an IoResult.
template <class Variant>
IoResult settle(const Variant& v) {
  IoResult r;
  if (v.index() == 1) {
    const auto [timer_ec] = std::get<1>(v);
    r.status = timer_ec == asio::error::operation_aborted ? IoStatus::kInterrupted : IoStatus::kTimedOut;
    return r;
  }
  const auto& t = std::get<0>(v);
  r.error = std::get<0>(t);
  if constexpr (std::tuple_size_v<std::decay_t<decltype(t)>> > 1) r.bytes = std::get<1>(t);
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
  timer_.expires_at(deadline);
  auto v = co_await (socket_.async_connect(Socket::endpoint_type(remote), asio::as_tuple(use_awaitable)) ||
                     timer_.async_wait(asio::as_tuple(use_awaitable)));
  co_return settle(v);
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
  timer_.expires_at(deadline);
  auto v = co_await (socket_.async_connect(Socket::endpoint_type(remote), asio::as_tuple(use_awaitable)) ||
                     timer_.async_wait(asio::as_tuple(use_awaitable)));
  co_return settle(v);
}

awaitable<IoResult> SmtpStream::read_some(asio::mutable_buffer buffer, Deadline deadline) {
  timer_.expires_at(deadline);
  if (tls_done_) {
    auto v = co_await (tls_->async_read_some(buffer, asio::as_tuple(use_awaitable)) ||
                       timer_.async_wait(asio::as_tuple(use_awaitable)));
    co_return settle(v);
  }
  auto v = co_await (socket_.async_read_some(buffer, asio::as_tuple(use_awaitable)) ||
                     timer_.async_wait(asio::as_tuple(use_awaitable)));
  co_return settle(v);
}

awaitable<IoResult> SmtpStream::write(asio::const_buffer bytes, Deadline deadline) {
  timer_.expires_at(deadline);
  IoResult r;
  if (tls_done_) {
    auto v = co_await (asio::async_write(*tls_, bytes, asio::as_tuple(use_awaitable)) ||
                       timer_.async_wait(asio::as_tuple(use_awaitable)));
    r = settle(v);
  } else {
    auto v = co_await (asio::async_write(socket_, bytes, asio::as_tuple(use_awaitable)) ||
                       timer_.async_wait(asio::as_tuple(use_awaitable)));
    r = settle(v);
  }
  bytes_written_ += r.bytes;
  co_return r;
}

awaitable<IoResult> SmtpStream::handshake(asio::ssl::context& context, const std::string& server_name,
                                          Deadline deadline) {
  tls_.emplace(socket_, context);
  boost::system::error_code ec;
  asio::ip::make_address(server_name, ec);
  if (!server_name.empty() && ec) SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
  timer_.expires_at(deadline);
  auto v = co_await (tls_->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(use_awaitable)) ||
                     timer_.async_wait(asio::as_tuple(use_awaitable)));
  IoResult r = settle(v);
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
