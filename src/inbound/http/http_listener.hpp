// HttpListener: the HTTP_Listener (SPEC §16; reference/momentum.md §11.2).
// Accepts HTTP/1.1 clients on every Listen address on every event loop (one
// SO_REUSEPORT acceptor per (address, loop), inbound/listen_socket.hpp, so
// each connection lives on the loop that accepted it; docs/architecture.md
// "Ownership"); runtime::Acceptor accepts (with its back-off) and each
// connection runs an HttpSession started with runtime::spawn. All Listen
// addresses serve the same Routes, built by the daemon's wiring before
// open() and read-only afterwards.
//
// Connection cap (Service_Sessions, per Listen address over all loops): a
// connection beyond it gets `503 {"error": "too many connections"}` and is
// closed (an HTTPS one is closed without a reply).
//
// Leaves to others: reading the configuration (the wiring fills one
// HttpListenerSettings per Listen address), the routes and their handlers,
// access checks and limits per request (HttpSession, dispatch()).
// Threads: open() and the destructor on any one thread; start() and stop()
// from any thread. The io_contexts must outlive the listener and run for
// stop() to complete.
// Failures: open() returns one line for the startup report
// ("HTTP_Listener 127.0.0.1:8081: Address already in use", a bad TLS file);
// per-connection problems go to the problem sink (the paniclog).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "inbound/http/http_listener_settings.hpp"

namespace boost::asio {
class io_context;
}

namespace impulse::inbound::http {

class Routes;

class HttpListener {
 public:
  using LogSink = std::function<void(const std::string&)>;  // thread-safe (paniclog / stderr)

  // Binds every Listen address on every loop now and loads TLS files.
  // `routes` must outlive the listener.
  static Result<std::unique_ptr<HttpListener>> open(const std::vector<boost::asio::io_context*>& loops,
                                                    std::vector<HttpListenerSettings> listens, const Routes& routes,
                                                    LogSink log);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Begins accepting (posted to each loop).
  void start();
  // Graceful stop: closes the acceptors, ends idle connections, lets a
  // request being served finish (its reply says Connection: close), then
  // calls `done` (if given) once every connection has ended. Idempotent.
  void stop(std::function<void()> done = {});

  // The bound port of listens[index] (useful with port 0).
  std::uint16_t port(std::size_t index) const;
  // Connections open now, over all loops and addresses.
  std::size_t open_sessions() const;
  // True between start() and stop(): the listener accepts (for /readyz).
  bool accepting() const;

  struct State;

 private:
  explicit HttpListener(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace impulse::inbound::http
