// EcstreamConnection: the network side of one ECSTREAM connection on the
// receiver: TLS handshake first when the listener has TLS (a client
// certificate checked against TLS_Client_CA when set), then two loops on
// the connection's event loop: a reader feeding the EcstreamSession while
// it wants frames (a full window stops reading: back-pressure), and a
// writer sending its output as soon as there is some (REPLY frames go out
// while more MESSAGE frames arrive). ECStream_Idle_Time is the deadline of
// every read, write and handshake (runtime::with_deadline).
//
// Ends when the session is finished (ERROR sent, GOAWAY drained, client
// gone and nothing in flight) or a write fails; shutdown() makes the
// session send GOAWAY. Injector completions are posted back to this loop
// (PostingInjector) and wake both loops.
//
// Leaves to the listener: accepting, supervision (run() is started with
// runtime::spawn by it), the per-loop registry.
// Threads: everything on the accepting loop; only the Injector's
// completion may come from another thread.
// Failures: I/O errors close the connection; a TLS handshake failure is
// logged through `log`; a message is injected only once its whole frame
// has arrived, so a dropped connection never injects a partial message.
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

#include "inbound/ecstream_session.hpp"
#include "queue/injection.hpp"
#include "runtime/deadline.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound {

class EcstreamConnection : public std::enable_shared_from_this<EcstreamConnection> {
 public:
  using LogSink = std::function<void(const std::string&)>;

  // The connection keeps the settings it started with (a reload changes
  // them for later connections); `injector` must outlive it (`keep_alive`
  // holds its owner). `tls` null = plain TCP.
  EcstreamConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<const EcstreamListenerSettings> settings,
                     std::shared_ptr<boost::asio::ssl::context> tls, queue::Injector& injector, EcstreamPeer peer,
                     LogSink log, runtime::ProblemSink problems, std::shared_ptr<const void> keep_alive);

  // The connection: spawn on the socket's executor. Closes the socket at the end.
  boost::asio::awaitable<void> run();
  // GOAWAY to the client; the connection ends once in-flight messages are answered. Loop thread only.
  void shutdown();

  const EcstreamPeer& peer() const { return peer_; }

 private:
  class PostingInjector final : public queue::Injector {
   public:
    PostingInjector(queue::Injector& inner, EcstreamConnection& owner) : inner_(inner), owner_(owner) {}
    void inject(queue::Injection message, Completion done) override;

   private:
    queue::Injector& inner_;
    EcstreamConnection& owner_;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<bool> write_output();
  boost::asio::awaitable<void> linger();
  boost::asio::steady_timer::time_point idle_deadline() const;
  void wake();
  void close();

  std::shared_ptr<const void> keep_alive_;
  std::shared_ptr<const EcstreamListenerSettings> settings_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_stream_;
  boost::asio::steady_timer read_deadline_;
  boost::asio::steady_timer write_deadline_;
  boost::asio::steady_timer read_wake_;   // the reader waits here while the window is full
  boost::asio::steady_timer write_wake_;  // the writer waits here for output
  std::chrono::seconds idle_time_;
  EcstreamPeer peer_;
  LogSink log_;
  runtime::ProblemSink problems_;
  PostingInjector injector_;
  EcstreamSession session_;
  std::array<char, 65536> buffer_{};
  bool started_ = false;            // GREETING queued: the session runs
  bool stop_before_start_ = false;  // shutdown() during the TLS handshake
  bool reader_done_ = false;
  bool lingering_ = false;
  bool closed_ = false;
};

}  // namespace impulse::inbound
