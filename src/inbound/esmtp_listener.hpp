// EsmtpListener: the ESMTP_Listener (SPEC §6; reference/momentum.md §11.1).
// Accepts SMTP clients on every Listen address (IPv4 or IPv6 literals), on
// every event loop: one SO_REUSEPORT acceptor per (address, loop), so the
// kernel spreads connections across loops and each session lives on the
// loop that accepted it (docs/architecture.md "Ownership"). Accepting (and backing
// off when out of descriptors) is runtime::Acceptor's; each session runs
// an EsmtpSession over an EsmtpConnection, started with runtime::spawn;
// received messages go to the Injector.
//
// Leaves to others: reading the configuration (the daemon fills one
// ListenerSettings per Listen address), spooling and message ids (the
// Injector), `Peer` scopes and the other Momentum listener options not in
// ListenerSettings.
//
// Threads: open() and the destructor on any one thread; start() and stop()
// from any thread. The io_contexts must outlive the listener (destroy it
// before the loops) and must be running for stop() to complete.
// Failures: open() returns one line for the startup report ("ESMTP_Listener
// 127.0.0.1:2525: Address already in use", a bad TLS file); per-connection
// failures never reach the caller; accept failures and an exception
// escaping a session coroutine (a bug) are logged, named, through `log`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "queue/injection.hpp"
#include "inbound/listener_settings.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::inbound {

class EsmtpListener {
 public:
  using LogSink = std::function<void(const std::string&)>;  // thread-safe sink (paniclog / stderr)

  // Binds every Listen address on every loop now and loads TLS files.
  static Result<std::unique_ptr<EsmtpListener>> open(const std::vector<boost::asio::io_context*>& loops,
                                                     std::vector<ListenerSettings> listens, queue::Injector& injector,
                                                     LogSink log);
  ~EsmtpListener();
  EsmtpListener(const EsmtpListener&) = delete;
  EsmtpListener& operator=(const EsmtpListener&) = delete;

  // Begins accepting (posted to each loop).
  void start();
  // Graceful stop: closes the acceptors, sends `421 4.3.2` to every open
  // session (after the reply to a message being injected), and calls
  // `done` (if given) once every session has ended. Idempotent.
  void stop(std::function<void()> done = {});

  // The bound port of listens[index] (useful with port 0).
  std::uint16_t port(std::size_t index) const;
  // Sessions currently open, over all loops.
  std::size_t open_sessions() const;

  struct State;

 private:
  explicit EsmtpListener(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace impulse::inbound
