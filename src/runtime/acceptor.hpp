// runtime::Acceptor: the one accept loop every listener uses (ESMTP, the
// control listener; HTTP and ECSTREAM next). It accepts on an acceptor the
// listener has already opened, bound and put in listening state, and hands
// each accepted socket to the listener's callback, until stop().
//
// Back-off: when accept fails because the process or the system is out of
// descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the pending
// connections stay queued in the kernel and every retry would fail at once;
// the loop reports the error and waits `backoff` (100 ms, the ESMTP
// listener's delay since its first version) before accepting again. Any
// other accept error is treated the same way, so a loop never spins.
// Each failure is one line "<name>: accept failed: <reason>" to the
// problem sink (stderr without one).
//
// Protocols: instantiated for TCP (asio::ip::tcp) and Unix stream sockets
// (asio::local::stream_protocol); the template is compiled once, in
// acceptor.cpp.
//
//   auto a = std::make_shared<runtime::Acceptor<tcp>>(std::move(bound), runtime::AcceptOptions{
//       .name = "ESMTP_Listener 127.0.0.1:25", .problems = sink});
//   a->start([](tcp::socket s) { ... runtime::spawn(...) ... });
//   ...
//   a->stop();
//
// Leaves to the listener: binding (address reuse, SO_REUSEPORT, socket
// files and their modes), what to do with a socket (sessions, their
// supervision and their own shutdown).
// Executor: the acceptor's; start() and stop() on that executor's thread
// (or before its io_context runs). Hold the Acceptor in a shared_ptr: the
// loop keeps it alive until it ends. The callback runs on the executor and
// must not throw (an exception ends the loop, reported by runtime::spawn).
// Stopping: stop() closes the acceptor and cancels a back-off wait; the
// loop ends without reporting anything and without calling the callback
// again. Idempotent.
// Internal to the libraries built on Asio (includes Asio headers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "runtime/spawn.hpp"

namespace impulse::runtime {

// The wait after a failed accept.
inline constexpr std::chrono::milliseconds kAcceptBackoff{100};

struct AcceptOptions {
  std::string name{};      // "ESMTP_Listener 127.0.0.1:25": names the loop and prefixes its problem lines
  ProblemSink problems{};  // accept failures; an exception escaping the loop (a throwing callback)
  std::chrono::milliseconds backoff = kAcceptBackoff;
};

template <class Protocol>
class Acceptor : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  using acceptor_type = typename Protocol::acceptor;
  using socket_type = typename Protocol::socket;
  using endpoint_type = typename Protocol::endpoint;
  using OnAccept = std::function<void(socket_type)>;

  // `bound` is open, bound and listening.
  Acceptor(acceptor_type bound, AcceptOptions options);
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Spawns the loop (runtime::spawn, named options.name). Once.
  void start(OnAccept on_accept);
  // Closes the acceptor; the loop ends. Idempotent.
  void stop();

  bool stopped() const { return stopped_; }
  // Accept failures seen so far (each one reported and backed off).
  std::size_t failures() const { return failures_; }
  endpoint_type local_endpoint() const;

 private:
  boost::asio::awaitable<void> run(OnAccept on_accept);

  acceptor_type acceptor_;
  boost::asio::steady_timer retry_;
  AcceptOptions options_;
  std::size_t failures_ = 0;
  bool stopped_ = false;
};

extern template class Acceptor<boost::asio::ip::tcp>;
extern template class Acceptor<boost::asio::local::stream_protocol>;

}  // namespace impulse::runtime
