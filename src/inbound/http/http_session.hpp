// HttpSession: one HTTP/1.1 connection of an HTTP_Listener (SPEC §16),
// Boost.Beast over a TCP socket, or over TLS when the listener has a
// certificate (handshake first, within http_header_timeout).
//
// Loop, one request at a time (keep-alive; no pipelining in flight):
//   1. read the request head within http_header_timeout (this is also how
//      long an idle keep-alive connection is kept); a silent client is
//      closed, one that sent part of a head gets 408;
//   2. Content-Length over Max_Request_Size: 413 at once; `Expect:
//      100-continue` answered with 100 before the body is read;
//   3. read the body within http_body_timeout (the parser's body_limit
//      enforces Max_Request_Size for chunked bodies too: 413);
//   4. dispatch() (route, access, handler), write the reply within
//      http_body_timeout; close unless both sides keep the connection alive
//      (half-close first and drop what the client still sends, for at most
//      2 s / 1 MiB, so a reset does not destroy the reply).
// A malformed request gets 400 and close; a head over 16 KiB gets 431 and
// close. Every error body is {"error": "..."}.
//
// Leaves to others: accepting, the connection cap, the per-loop registry and
// supervision (http_listener.hpp); routes and handlers.
// Threads: everything on the accepting loop's io_context.
// Failures: I/O errors close the connection; a slow client that is cut off,
// a failed TLS handshake and every 5xx but /readyz's 503 are one problem line each
// ("<connection id> <ip>:<port>: ..."); with Log_Requests_To_Paniclog one
// line per request `<ip> "METHOD path HTTP/1.1" status bytes ms`.
// Internal to src/inbound (includes Asio and Beast).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "config/net.hpp"
#include "inbound/http/http_listener_settings.hpp"
#include "inbound/http/http_route.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound::http {

struct HttpPeer {
  boost::asio::ip::address address;
  std::uint16_t port = 0;
  std::string ip;  // text, IPv4-mapped shown as IPv4
  config::IpAddress ip_for_acl;
  std::string connection_id;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `settings` and `routes` must outlive the session (`keep_alive` is held
  // for that). `tls` may be null (plain HTTP).
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpListenerSettings& settings,
              std::shared_ptr<boost::asio::ssl::context> tls, const Routes& routes, HttpPeer peer,
              runtime::ProblemSink problems, std::shared_ptr<const void> keep_alive);

  // Spawn on the socket's executor. Closes the socket at the end.
  boost::asio::awaitable<void> run();
  // Graceful stop: an idle wait ends now; a request being served is
  // answered (with Connection: close), then the connection closes.
  void shutdown();

  const HttpPeer& peer() const { return peer_; }

 private:
  template <class Stream>
  boost::asio::awaitable<void> serve(Stream& stream);
  template <class Stream>
  boost::asio::awaitable<bool> write(Stream& stream, Response res);
  boost::asio::awaitable<void> linger();
  void problem(const std::string& text) const;
  void close();

  std::shared_ptr<const void> keep_alive_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const HttpListenerSettings& settings_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  const Routes& routes_;
  HttpPeer peer_;
  runtime::ProblemSink problems_;
  bool stopping_ = false;
  bool busy_ = false;  // a request is being handled (not interruptible)
};

}  // namespace impulse::inbound::http
