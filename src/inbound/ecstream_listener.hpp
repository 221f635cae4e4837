// EcstreamListener: the ECStream_Listener (SPEC §15; docs/ecstream.md;
// reference/momentum.md §9.5). Accepts ECSTREAM clients on every Listen
// address, on every event loop (one SO_REUSEPORT acceptor per address and
// loop, runtime::Acceptor), and runs an EcstreamConnection per client,
// started with runtime::spawn; accepted messages go to the Injector with
// Origin protocol ecstream and the client's address.
//
// TLS: a Listen with TLS_Certificate/TLS_Key is TLS from the first octet;
// with TLS_Client_CA a client must present a certificate signed by it.
//
// Leaves to others: reading the configuration (the daemon fills one
// EcstreamListenerSettings per Listen), spooling and ids (the Injector).
// Threads: open() and the destructor on one thread; start() and stop()
// from any thread. The io_contexts must outlive the listener and be
// running for stop() to complete.
// Failures: open() returns one line for the startup report
// ("ECStream_Listener 127.0.0.1:1825: Address already in use", a bad TLS
// file); per-connection failures never reach the caller; accept failures
// and escaped exceptions are logged, named, through `log`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "inbound/ecstream_settings.hpp"
#include "queue/injection.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::inbound {

class EcstreamListener {
 public:
  using LogSink = std::function<void(const std::string&)>;  // thread-safe (paniclog / stderr)

  static Result<std::unique_ptr<EcstreamListener>> open(const std::vector<boost::asio::io_context*>& loops,
                                                        std::vector<EcstreamListenerSettings> listens,
                                                        queue::Injector& injector, LogSink log);
  ~EcstreamListener();
  EcstreamListener(const EcstreamListener&) = delete;
  EcstreamListener& operator=(const EcstreamListener&) = delete;

  void start();
  // Graceful stop: closes the acceptors, sends GOAWAY to every connection
  // (its messages in flight are still answered), calls `done` once every
  // connection has ended. Idempotent.
  void stop(std::function<void()> done = {});

  // Configuration reload: the options of each Listen still configured at
  // the same address (Relay_Hosts, Max_Message_Size, ECStream_Idle_Time,
  // ECStream_Max_Batch_Size, Reconfig_Message) apply to the connections
  // accepted from now on; every open connection gets GOAWAY (Reconfig_
  // Message) so that its client reconnects; its messages in flight are
  // still answered. Addresses added or removed, and TLS files, take a
  // restart. From any thread.
  void reconfigure(std::vector<EcstreamListenerSettings> listens);

  std::uint16_t port(std::size_t index) const;
  std::size_t open_sessions() const;

  struct State;

 private:
  explicit EcstreamListener(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};


}  // namespace impulse::inbound
