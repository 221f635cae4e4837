// EsmtpConnection: the network side of one ESMTP session: reads and writes
// the socket (plain, then TLS after STARTTLS) for an EsmtpSession, with the
// listener's Idle_Time as the deadline of every read, write and handshake
// (runtime::with_deadline on one timer per connection).
//
// Loop: flush the session's replies, then act on session.next(): read more
// (pipelined commands are all answered before the next read), hand the
// socket to TLS (asio::ssl, server side), wait for the Injector's
// completion (posted back to this loop by PostingInjector), run an SMTP
// AUTH password check on the listener's worker thread (`auth_worker`; when
// null the session checks inline), or close.
// Read deadline expiry: `421 4.4.2` (EsmtpSession::idle_timeout) and close;
// a write or handshake deadline expiry: close. shutdown(): `421 4.3.2` and
// close, after any injection in flight (a pending read is interrupted by
// cancelling the deadline timer).
//
// Leaves to the listener: accepting, the per-loop registry, supervision of
// the coroutine (run() is started with runtime::spawn by it).
// Threads: everything runs on the accepting loop's io_context; only the
// Injector's completion may arrive from another thread.
// Failures: I/O errors and TLS handshake failures close the connection
// (handshake failures are logged); a message is injected only after its
// final dot, so a dropped connection never injects a partial message.
// Internal to src/inbound (includes Asio).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "inbound/esmtp_session.hpp"
#include "queue/injection.hpp"
#include "inbound/listener_settings.hpp"
#include "runtime/deadline.hpp"
#include "runtime/worker_thread.hpp"

namespace impulse::inbound {

class EsmtpConnection : public std::enable_shared_from_this<EsmtpConnection> {
 public:
  using LogSink = std::function<void(const std::string&)>;

  // `settings`, `injector` and `auth_worker` must outlive the connection;
  // `keep_alive` is held for that purpose. `tls` may be null (no STARTTLS).
  EsmtpConnection(boost::asio::ip::tcp::socket socket, const ListenerSettings& settings,
                  std::shared_ptr<boost::asio::ssl::context> tls, queue::Injector& injector, SessionPeer peer,
                  LogSink log, std::shared_ptr<const void> keep_alive, runtime::WorkerThread* auth_worker = nullptr);

  // The session; spawn on the socket's executor. Closes the socket at the end.
  boost::asio::awaitable<void> run();
  // 421 to the client and close (after an injection in flight). Loop thread only.
  void shutdown();

  const SessionPeer& peer() const { return peer_; }

 private:
  // Posts the Injector's completion back to this connection's loop.
  class PostingInjector final : public queue::Injector {
   public:
    PostingInjector(queue::Injector& inner, EsmtpConnection& owner) : inner_(inner), owner_(owner) {}
    void inject(queue::Injection message, Completion done) override;
    void rejected(std::string_view sender, std::string_view recipient, const queue::Origin& origin,
                  std::string_view response) override {
      inner_.rejected(sender, recipient, origin, response);
    }

   private:
    queue::Injector& inner_;
    EsmtpConnection& owner_;
  };

  boost::asio::awaitable<bool> write_output();
  boost::asio::awaitable<bool> start_tls();
  boost::asio::awaitable<runtime::DeadlineResult> read_some();
  boost::asio::steady_timer::time_point idle_deadline() const;
  void close();

  std::shared_ptr<const void> keep_alive_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_stream_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer deadline_;  // the Idle_Time race of the current read, write or handshake
  boost::asio::steady_timer wake_;
  std::chrono::seconds idle_time_;
  SessionPeer peer_;
  LogSink log_;
  runtime::WorkerThread* auth_worker_ = nullptr;
  PostingInjector injector_;
  EsmtpSession session_;
  std::array<char, 16384> buffer_{};
  bool reading_ = false;
  bool shutting_down_ = false;
  bool closed_ = false;
};

}  // namespace impulse::inbound
