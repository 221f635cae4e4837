// Http2Connection: one HTTP/2 client connection over TLS (ALPN h2), with
// nghttp2 as the protocol engine (nghttp2_session_client_new; nghttp2 does
// all framing, HPACK, flow control, SETTINGS/PING acks) over an
// asio::ssl::stream<tcp::socket>. Generic: APN uses it (SPEC §12), GCM/FCM
// v1 will (SPEC §13). RFC 9113; reference/protocols.md §4a.
//
//   Http2ConnectOptions opts{...};                      // a named object (g++ 12 coroutines)
//   auto conn = co_await Http2Connection::connect(executor, opts);
//   if (!conn) conn.error(): kConnect / kTls
//   Http2Request req{...};
//   auto r = co_await (*conn)->request(req);           // many at once, each its own coroutine
//   r->status, r->headers, r->body  |  r.error().kind (see http2_types.hpp)
//
// connect(): TCP connect (bind_address as source if set), TLS handshake with
// SNI, certificate and ALPN checks (http2_tls.hpp; skipped for a cleartext
// connection, use_tls = false: prior knowledge), our SETTINGS, then waits
// for the server's first SETTINGS so max_concurrent_streams() is the
// server's from the start; all of it within connect_timeout.
// request(): one stream; the response (status, headers, body up to 1 MiB)
// or an Http2Error. Requests beyond the server's
// SETTINGS_MAX_CONCURRENT_STREAMS wait inside nghttp2 until a stream frees
// (callers size their concurrency by max_concurrent_streams()). Each
// request has its own deadline (Http2Request::timeout); on expiry the
// stream is reset (CANCEL) and kTimeout returned, the connection stays.
// GOAWAY: requests on streams above its last_stream_id, and requests not
// yet written when the connection ends, return kNotProcessed (send them
// again on another connection); usable() turns false at once.
// idle(timeout): waits for wake(), the timeout (idle_timeout) or the peer
// going away. close(timeout): GOAWAY(NO_ERROR) flushed within the timeout,
// then the socket is closed; requests still waiting end with
// kConnectionLost.
//
// Deadlines (docs/architecture.md rule 5): connect_timeout for opening,
// write_timeout for each socket write, each request's timeout for its
// response, idle() its own. The reader's own: a watchdog coroutine sends a
// PING (RFC 9113 §6.7) once the server has been silent for ping_interval,
// and when nothing at all arrives within ping_timeout after it, the
// connection fails with kConnectionLost "no answer to PING within N ms"
// (every request waiting ends with it, idle() returns kClosed). So a server
// that goes silent (a dead network path, a hung process) cannot keep a
// connection, and the streams on it, past ping_interval + ping_timeout,
// whether requests are in flight or the connection is idle.
// Executor: everything runs on the executor given to connect() (one event
// loop: no strand needed); calls must come from it. Three supervised
// coroutines per connection (reader, writer, PING watchdog) keep it alive
// until the socket closes. Never throws except std::bad_alloc.
// Internal to src/delivery (includes Asio).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/expected.hpp"
#include "delivery/http2/http2_tls.hpp"
#include "delivery/http2/http2_types.hpp"
#include "runtime/spawn.hpp"

struct nghttp2_session;

namespace impulse::delivery::http2 {

struct Http2ConnectOptions {
  std::string host;       // the route host: SNI, certificate name, :authority
  std::string address;    // IP address to connect to
  std::uint16_t port = 443;
  std::string bind_address;  // source address; "" = the kernel chooses
  TlsContextPtr tls;         // make_http2_tls_context (ALPN h2); needed even when use_tls is false
  bool use_tls = true;       // false: HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 §3.3)
  bool verify = true;        // check the certificate (tls_verify != no)
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds ping_interval{60'000};  // server silent this long: send a PING
  std::chrono::milliseconds ping_timeout{30'000};   // and nothing back within this: connection lost
  std::uint32_t max_streams_cap = 1000;  // never more streams than this, whatever the server allows
  runtime::ProblemSink problems;         // where the reader/writer report a bug that throws
};

enum class Http2IdleEnd { kWoken, kTimedOut, kClosed };

class Http2Connection : public std::enable_shared_from_this<Http2Connection> {
 public:
  using Ptr = std::shared_ptr<Http2Connection>;

  static boost::asio::awaitable<impulse::expected<Ptr, Http2Error>> connect(boost::asio::any_io_executor executor,
                                                                             const Http2ConnectOptions& options);

  // `request` must stay alive until the coroutine ends (a named object).
  boost::asio::awaitable<impulse::expected<Http2Response, Http2Error>> request(const Http2Request& request);

  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (capped); may change while open.
  std::size_t max_concurrent_streams() const;
  std::size_t open_streams() const { return streams_.size(); }
  // Open and not told to go away: new requests may be sent.
  bool usable() const { return alive_ && !goaway_ && !closing_; }
  bool alive() const { return alive_; }
  // Why it is not usable ("GOAWAY {\"reason\":\"Shutdown\"}", "connection closed by peer"), or "".
  const std::string& end_reason() const { return end_reason_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  // PINGs sent by the watchdog (the server was silent for ping_interval).
  std::uint64_t pings_sent() const { return pings_sent_; }
  const Http2ConnectOptions& options() const { return options_; }

  boost::asio::awaitable<Http2IdleEnd> idle(std::chrono::milliseconds timeout);
  void wake();
  boost::asio::awaitable<void> close(std::chrono::milliseconds timeout);
  // Takes no new requests; once the streams in flight have their answers,
  // sends GOAWAY and closes (a connection replaced after GOAWAY or 503
  // Shutdown). The write of the GOAWAY has write_timeout.
  void drain();

  Http2Connection(boost::asio::any_io_executor executor, const Http2ConnectOptions& options);
  ~Http2Connection();
  Http2Connection(const Http2Connection&) = delete;
  Http2Connection& operator=(const Http2Connection&) = delete;

 private:
  struct Stream;
  struct Callbacks;  // nghttp2's C callbacks (http2_connection.cpp)
  friend struct Callbacks;

  boost::asio::awaitable<impulse::expected<void, Http2Error>> start();
  boost::asio::awaitable<void> read_loop(Ptr self);
  boost::asio::awaitable<void> write_loop(Ptr self);
  boost::asio::awaitable<void> ping_loop(Ptr self);
  void signal_writer();
  void fail(Http2ErrorKind kind, std::string detail);
  void finish_stream(Stream& stream);
  void forget_stream(std::int32_t id);

  boost::asio::any_io_executor executor_;
  Http2ConnectOptions options_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, std::shared_ptr<Stream>> streams_;

  std::vector<std::uint8_t> read_buffer_;
  std::string out_;
  boost::asio::steady_timer write_signal_;
  boost::asio::steady_timer write_timer_;
  boost::asio::steady_timer settings_signal_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer close_signal_;
  boost::asio::steady_timer ping_timer_;
  std::chrono::steady_clock::time_point last_read_{};  // when the server last sent anything
  std::chrono::steady_clock::time_point ping_deadline_{};
  bool ping_pending_ = false;  // a PING went out and nothing arrived since
  std::uint64_t pings_sent_ = 0;

  bool alive_ = false;
  bool goaway_ = false;
  bool closing_ = false;
  bool got_settings_ = false;
  bool writer_waiting_ = false;
  bool idle_waiting_ = false;
  bool wake_pending_ = false;
  bool close_waiting_ = false;
  bool draining_ = false;
  bool close_after_write_ = false;
  std::int32_t last_stream_id_ = 0x7fffffff;  // from GOAWAY
  std::string end_reason_;
  std::uint64_t bytes_sent_ = 0;
};

}  // namespace impulse::delivery::http2
