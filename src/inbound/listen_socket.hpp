// Listening TCP sockets for the injection listeners: binding one
// SO_REUSEPORT acceptor per (address, event loop) so the kernel spreads
// connections across loops (docs/architecture.md "Ownership"), probing
// first that no other process holds the port, and the address helpers a
// listener needs for Relay_Hosts and its logs. Used by the ESMTP and
// ECStream listeners.
//
// Leaves to others: accepting (runtime::Acceptor), sessions.
// Threads: any; the io_context only provides the executor.
// Failures: values, one line "<Name> <address>: <reason>" for the startup
// report ("ECStream_Listener 127.0.0.1:1825: Address already in use").
// Internal to src/inbound (includes Asio).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "config/net.hpp"

namespace impulse::inbound {

// Opens, sets address reuse and SO_REUSEPORT (v6-only for IPv6), binds and
// listens. `name` prefixes errors ("ECStream_Listener 127.0.0.1:1825").
Result<void> bind_reuseport(boost::asio::ip::tcp::acceptor& acceptor, const boost::asio::ip::tcp::endpoint& endpoint,
                            std::string_view name, int backlog = 500);

// Fails when `endpoint` is taken (by a socket without SO_REUSEPORT too).
Result<void> probe_port_free(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                             std::string_view name);

// The peer's address for Relay_Hosts matching.
config::IpAddress to_ip(const boost::asio::ip::address& address);
// Its text for logs and origins; IPv4-mapped IPv6 shown as IPv4.
std::string ip_text(const boost::asio::ip::address& address);

}  // namespace impulse::inbound
