// Implementation of delivery/http2/http2_connection.hpp: the nghttp2
// session driven by a reader and a writer coroutine on the connection's
// executor; nghttp2's callbacks fill the streams' responses.
#include "delivery/http2/http2_connection.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cstring>
#include <optional>
#include <tuple>

#include "runtime/deadline.hpp"

namespace impulse::delivery::http2 {

namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxResponseBody = 1 << 20;
constexpr std::size_t kMaxResponseHeaders = 64;
constexpr std::size_t kWriteChunk = 64 * 1024;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

struct Http2Connection::Stream {
  explicit Stream(const asio::any_io_executor& ex) : signal(ex) {}
  std::int32_t id = -1;
  std::string body_out;
  std::size_t offset = 0;
  Http2Response response;
  bool sent = false;  // its HEADERS frame went out
  bool done = false;
  std::optional<Http2Error> error;
  asio::steady_timer signal;
};

struct Http2Connection::Callbacks {
  static Http2Connection& self(void* user) { return *static_cast<Http2Connection*>(user); }
  static Stream* find(Http2Connection& c, std::int32_t id) {
    auto it = c.streams_.find(id);
    return it == c.streams_.end() ? nullptr : it->second.get();
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    Stream* s = find(self(user), stream_id);
    if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // given up (deadline): reset it
    const std::size_t n = std::min(length, s->body_out.size() - s->offset);
    std::memcpy(buf, s->body_out.data() + s->offset, n);
    s->offset += n;
    if (s->offset == s->body_out.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
    Stream* s = find(self(user), frame->hd.stream_id);
    if (!s) return 0;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      int status = 0;
      std::from_chars(v.data(), v.data() + v.size(), status);
      s->response.status = status;
    } else if (s->response.headers.size() < kMaxResponseHeaders) {
      s->response.headers.emplace_back(std::string(n), std::string(v));
    }
    return 0;
  }

  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data, std::size_t len,
                     void* user) {
    Stream* s = find(self(user), stream_id);
    if (!s) return 0;
    const std::size_t room = kMaxResponseBody - std::min(kMaxResponseBody, s->response.body.size());
    s->response.body.append(reinterpret_cast<const char*>(data), std::min(room, len));
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    Http2Connection& c = self(user);
    if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
      c.got_settings_ = true;
      c.settings_signal_.cancel();
    } else if (frame->hd.type == NGHTTP2_GOAWAY) {
      c.goaway_ = true;
      c.last_stream_id_ = frame->goaway.last_stream_id;
      std::string reason = "GOAWAY";
      if (frame->goaway.opaque_data_len > 0) {
        reason += ' ';
        reason.append(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                      std::min<std::size_t>(frame->goaway.opaque_data_len, 200));
      }
      if (c.end_reason_.empty()) c.end_reason_ = std::move(reason);
      if (c.idle_waiting_) c.idle_timer_.cancel();
    }
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    if (Stream* s = find(self(user), frame->hd.stream_id)) s->sent = true;
    return 0;
  }

  static int on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int error, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    Http2Connection& c = self(user);
    if (Stream* s = find(c, frame->hd.stream_id); s && !s->done) {
      s->error = Http2Error{Http2ErrorKind::kNotProcessed, std::string("request not sent: ") + nghttp2_strerror(error)};
      c.finish_stream(*s);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user) {
    Http2Connection& c = self(user);
    Stream* s = find(c, stream_id);
    if (!s || s->done) return 0;
    if (s->response.status == 0) {
      if (error_code == NGHTTP2_REFUSED_STREAM) {
        s->error = Http2Error{Http2ErrorKind::kNotProcessed,
                              c.goaway_ ? c.end_reason_ : std::string("stream refused by the server")};
      } else {
        s->error = Http2Error{Http2ErrorKind::kStreamReset,
                              std::string("stream reset by the server: ") + nghttp2_http2_strerror(error_code)};
      }
    }
    c.finish_stream(*s);
    return 0;
  }
};

Http2Connection::Http2Connection(asio::any_io_executor executor, const Http2ConnectOptions& options)
    : executor_(executor),
      options_(options),
      stream_(executor, options.tls->get()),
      read_buffer_(32 * 1024),
      write_signal_(executor),
      write_timer_(executor),
      settings_signal_(executor),
      idle_timer_(executor),
      close_signal_(executor),
      ping_timer_(executor) {}

Http2Connection::~Http2Connection() {
  if (session_) nghttp2_session_del(session_);
}

awaitable<impulse::expected<Http2Connection::Ptr, Http2Error>> Http2Connection::connect(
    asio::any_io_executor executor, const Http2ConnectOptions& options) {
  if (!options.tls) co_return impulse::unexpected(Http2Error{Http2ErrorKind::kTls, "no TLS context"});
  auto conn = std::make_shared<Http2Connection>(executor, options);
  auto started = co_await conn->start();
  if (!started) co_return impulse::unexpected(std::move(started.error()));
  co_return conn;
}

awaitable<impulse::expected<void, Http2Error>> Http2Connection::start() {
  using Result = impulse::expected<void, Http2Error>;
  auto failed = [](Http2ErrorKind kind, std::string detail) -> Result {
    return impulse::unexpected(Http2Error{kind, std::move(detail)});
  };
  const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) co_return failed(Http2ErrorKind::kConnect, "bad address " + options_.address);
  const tcp::endpoint peer(address, options_.port);
  auto& socket = stream_.next_layer();
  socket.open(peer.protocol(), ec);
  if (!ec && !options_.bind_address.empty()) {
    const auto source = asio::ip::make_address(options_.bind_address, ec);
    if (!ec) socket.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) co_return failed(Http2ErrorKind::kConnect, "socket: " + ec.message());

  auto connected = co_await runtime::with_deadline(socket.async_connect(peer, kAsTuple), write_timer_, deadline,
                                                   runtime::cancel_of(socket));
  if (connected.timed_out()) co_return failed(Http2ErrorKind::kConnect, "connect timed out");
  if (!connected.ok()) co_return failed(Http2ErrorKind::kConnect, "connect: " + connected.error.message());
  socket.set_option(tcp::no_delay(true), ec);

  if (options_.use_tls) {
    SSL* ssl = stream_.native_handle();
    asio::ip::make_address(options_.host, ec);
    if (ec) SSL_set_tlsext_host_name(ssl, options_.host.c_str());  // SNI for host names only (RFC 6066 §3)
    auto shaken = co_await runtime::with_deadline(stream_.async_handshake(asio::ssl::stream_base::client, kAsTuple),
                                                  write_timer_, deadline, runtime::cancel_of(socket));
    if (shaken.timed_out()) co_return failed(Http2ErrorKind::kTls, "TLS handshake timed out");
    if (!shaken.ok()) co_return failed(Http2ErrorKind::kTls, "TLS handshake: " + shaken.error.message());
    if (std::string why = check_http2_tls(ssl, options_.verify, options_.host); !why.empty())
      co_return failed(Http2ErrorKind::kTls, std::move(why));
  }

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Callbacks::on_frame_send);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, &Callbacks::on_frame_not_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::on_stream_close);
  const int made = nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (made != 0) co_return failed(Http2ErrorKind::kProtocol, nghttp2_strerror(made));
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 0}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  alive_ = true;
  last_read_ = std::chrono::steady_clock::now();

  auto self = shared_from_this();
  runtime::spawn(executor_, "http2 " + options_.host + " " + options_.address + ": reader", read_loop(self),
                 {.problems = options_.problems});
  runtime::spawn(executor_, "http2 " + options_.host + " " + options_.address + ": writer", write_loop(self),
                 {.problems = options_.problems});
  runtime::spawn(executor_, "http2 " + options_.host + " " + options_.address + ": ping", ping_loop(self),
                 {.problems = options_.problems});

  while (alive_ && !got_settings_ && std::chrono::steady_clock::now() < deadline) {
    settings_signal_.expires_at(deadline);
    co_await settings_signal_.async_wait(kAsTuple);
  }
  if (!alive_) co_return failed(Http2ErrorKind::kConnect, end_reason_.empty() ? "connection lost" : end_reason_);
  if (!got_settings_) {
    fail(Http2ErrorKind::kConnect, "no SETTINGS from the server");
    co_return failed(Http2ErrorKind::kConnect, "no SETTINGS from the server within " +
                                                   ms_text(options_.connect_timeout));
  }
  co_return Result{};
}

std::size_t Http2Connection::max_concurrent_streams() const {
  if (!session_) return 0;
  const std::uint32_t remote = nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return std::min(remote, options_.max_streams_cap);
}

awaitable<impulse::expected<Http2Response, Http2Error>> Http2Connection::request(const Http2Request& request) {
  using Result = impulse::expected<Http2Response, Http2Error>;
  if (!usable()) {
    co_return impulse::unexpected(
        Http2Error{Http2ErrorKind::kNotProcessed, end_reason_.empty() ? "connection closing" : end_reason_});
  }
  auto keep = shared_from_this();  // the reader's failure must not free us under the wait
  auto stream = std::make_shared<Stream>(executor_);
  stream->body_out = request.body;

  auto nv = [](std::string_view name, std::string_view value) {
    return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                      NGHTTP2_NV_FLAG_NONE};
  };
  std::vector<nghttp2_nv> nva;
  nva.reserve(4 + request.headers.size());
  nva.push_back(nv(":method", request.method));
  nva.push_back(nv(":scheme", "https"));
  nva.push_back(nv(":authority", request.authority.empty() ? options_.host : request.authority));
  nva.push_back(nv(":path", request.path));
  for (const auto& [name, value] : request.headers) nva.push_back(nv(name, value));

  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::read_body;
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                 request.method == "GET" ? nullptr : &provider, nullptr);
  if (id < 0) {
    co_return impulse::unexpected(
        Http2Error{Http2ErrorKind::kNotProcessed, std::string("cannot open a stream: ") + nghttp2_strerror(id)});
  }
  stream->id = id;
  streams_.emplace(id, stream);
  signal_writer();

  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  while (!stream->done) {
    stream->signal.expires_at(deadline);
    auto [ec] = co_await stream->signal.async_wait(kAsTuple);
    if (stream->done) break;
    if (!ec) {  // the deadline passed: give the stream up, keep the connection
      if (alive_) {
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
        signal_writer();
      }
      forget_stream(id);
      co_return impulse::unexpected(
          Http2Error{Http2ErrorKind::kTimeout, "no response within " + ms_text(request.timeout)});
    }
  }
  forget_stream(id);
  if (stream->error) co_return impulse::unexpected(std::move(*stream->error));
  co_return Result(std::move(stream->response));
}

void Http2Connection::finish_stream(Stream& stream) {
  stream.done = true;
  stream.signal.cancel();
}

void Http2Connection::forget_stream(std::int32_t id) {
  streams_.erase(id);
  if (draining_ && streams_.empty() && alive_ && !close_after_write_) {
    closing_ = true;
    close_after_write_ = true;
    nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
    signal_writer();
  }
}

void Http2Connection::drain() {
  if (!alive_ || draining_) return;
  draining_ = true;
  closing_ = true;
  if (streams_.empty()) {
    draining_ = true;
    close_after_write_ = true;
    nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
    signal_writer();
  }
}

void Http2Connection::signal_writer() {
  if (writer_waiting_) write_signal_.cancel();
}

void Http2Connection::fail(Http2ErrorKind kind, std::string detail) {
  if (!alive_) return;
  alive_ = false;
  if (end_reason_.empty()) end_reason_ = detail;
  boost::system::error_code ignored;
  stream_.next_layer().close(ignored);
  for (auto& [id, s] : streams_) {
    if (s->done) continue;
    // Never written, or above a GOAWAY's last stream: the server did not process it.
    const bool unprocessed = !s->sent || (goaway_ && id > last_stream_id_);
    s->error = Http2Error{unprocessed ? Http2ErrorKind::kNotProcessed : kind, detail};
    finish_stream(*s);
  }
  write_signal_.cancel();
  settings_signal_.cancel();
  idle_timer_.cancel();
  close_signal_.cancel();
  ping_timer_.cancel();
}

awaitable<void> Http2Connection::read_loop([[maybe_unused]] Ptr self) {
  while (alive_) {
    // No co_await inside ?: (g++ 12 miscompiles it).
    std::tuple<boost::system::error_code, std::size_t> got;
    if (options_.use_tls) {
      got = co_await stream_.async_read_some(asio::buffer(read_buffer_), kAsTuple);
    } else {
      got = co_await stream_.next_layer().async_read_some(asio::buffer(read_buffer_), kAsTuple);
    }
    auto [ec, n] = got;
    if (!alive_) break;
    if (ec) {
      fail(Http2ErrorKind::kConnectionLost,
           ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ? "connection closed by the server"
                                                                               : "read: " + ec.message());
      break;
    }
    last_read_ = std::chrono::steady_clock::now();  // anything from the server proves it alive
    ping_pending_ = false;
    const ssize_t used = nghttp2_session_mem_recv(session_, read_buffer_.data(), n);
    if (used < 0) {
      fail(Http2ErrorKind::kProtocol, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(used)));
      break;
    }
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      fail(Http2ErrorKind::kConnectionLost, end_reason_.empty() ? "session ended" : end_reason_);
      break;
    }
    signal_writer();  // acks, window updates, queued requests
  }
}

awaitable<void> Http2Connection::write_loop([[maybe_unused]] Ptr self) {
  while (alive_) {
    out_.clear();
    while (out_.size() < kWriteChunk) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        fail(Http2ErrorKind::kProtocol, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
        co_return;
      }
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (out_.empty()) {
      if (close_waiting_) close_signal_.cancel();  // close(): everything, GOAWAY included, is written
      if (close_after_write_) {                    // drain(): the GOAWAY is out
        fail(Http2ErrorKind::kConnectionLost, "connection closed");
        co_return;
      }
      // Not a network wait: woken by signal_writer() or fail().
      writer_waiting_ = true;
      write_signal_.expires_at(asio::steady_timer::time_point::max());
      co_await write_signal_.async_wait(kAsTuple);
      writer_waiting_ = false;
      continue;
    }
    auto write = options_.use_tls ? asio::async_write(stream_, asio::buffer(out_), kAsTuple)
                                  : asio::async_write(stream_.next_layer(), asio::buffer(out_), kAsTuple);
    auto written = co_await runtime::with_deadline(std::move(write), write_timer_,
                                                   std::chrono::steady_clock::now() + options_.write_timeout,
                                                   runtime::cancel_of(stream_.next_layer()));
    if (!written.ok()) {
      fail(Http2ErrorKind::kConnectionLost,
           written.timed_out() ? "write timed out after " + ms_text(options_.write_timeout)
                               : "write: " + written.error.message());
      co_return;
    }
    bytes_sent_ += out_.size();
  }
}

// The reader's deadline: a PING after ping_interval of silence, the
// connection given up when nothing arrives within ping_timeout of it.
awaitable<void> Http2Connection::ping_loop([[maybe_unused]] Ptr self) {
  while (alive_) {
    const auto now = std::chrono::steady_clock::now();
    if (ping_pending_ && now >= ping_deadline_) {
      fail(Http2ErrorKind::kConnectionLost, "no answer to PING within " + ms_text(options_.ping_timeout));
      co_return;
    }
    if (!ping_pending_ && now - last_read_ >= options_.ping_interval) {
      nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
      ++pings_sent_;
      ping_pending_ = true;
      ping_deadline_ = now + options_.ping_timeout;
      signal_writer();
    }
    ping_timer_.expires_at(ping_pending_ ? ping_deadline_ : last_read_ + options_.ping_interval);
    co_await ping_timer_.async_wait(kAsTuple);  // fail() cancels it
  }
}

awaitable<Http2IdleEnd> Http2Connection::idle(std::chrono::milliseconds timeout) {
  if (wake_pending_) {
    wake_pending_ = false;
    co_return Http2IdleEnd::kWoken;
  }
  if (!usable()) co_return Http2IdleEnd::kClosed;
  auto keep = shared_from_this();
  idle_waiting_ = true;
  idle_timer_.expires_after(timeout);
  auto [ec] = co_await idle_timer_.async_wait(kAsTuple);
  idle_waiting_ = false;
  if (wake_pending_) {
    wake_pending_ = false;
    co_return Http2IdleEnd::kWoken;
  }
  if (!usable()) co_return Http2IdleEnd::kClosed;
  co_return ec ? Http2IdleEnd::kWoken : Http2IdleEnd::kTimedOut;
}

void Http2Connection::wake() {
  wake_pending_ = true;
  if (idle_waiting_) idle_timer_.cancel();
}

awaitable<void> Http2Connection::close(std::chrono::milliseconds timeout) {
  if (!alive_) co_return;
  auto keep = shared_from_this();
  closing_ = true;
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
  close_waiting_ = true;
  signal_writer();
  close_signal_.expires_after(timeout);  // deadline: the GOAWAY written within `timeout`
  co_await close_signal_.async_wait(kAsTuple);
  close_waiting_ = false;
  fail(Http2ErrorKind::kConnectionLost, "connection closed");
}

}  // namespace impulse::delivery::http2
