// Implementation of inbound/listen_socket.hpp.
#include "inbound/listen_socket.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>

namespace impulse::inbound {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

Result<void> bind_reuseport(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, std::string_view name,
                            int backlog) {
  boost::system::error_code ec;
  auto failed = [&](const char* what) { return fail(std::string(name) + ": " + what + ": " + ec.message()); };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed("cannot open socket");
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.set_option(ReusePort(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (ec) return failed("cannot set socket options");
  acceptor.bind(endpoint, ec);
  if (ec) return fail(std::string(name) + ": " + ec.message());
  acceptor.listen(backlog, ec);
  if (ec) return failed("cannot listen");
  return {};
}

Result<void> probe_port_free(asio::io_context& io, const tcp::endpoint& endpoint, std::string_view name) {
  tcp::acceptor probe(io);
  boost::system::error_code ec;
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) probe.set_option(asio::ip::v6_only(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec) return fail(std::string(name) + ": " + ec.message());
  return {};
}

config::IpAddress to_ip(const asio::ip::address& a) {
  config::IpAddress ip;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  } else {
    ip.v6 = true;
    const auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  }
  return ip;
}

std::string ip_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

}  // namespace impulse::inbound
