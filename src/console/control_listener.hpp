// ControlListener: the Control_Listener (SPEC §7; reference/momentum.md
// §8.1): accepts console clients on Unix sockets (created with File_Mode)
// and TCP addresses, reads one command per line, dispatches it through the
// CommandRegistry and writes the framed reply (console/wire.hpp). A client
// idle longer than `Timeout` (reading a command, taking a reply, or in the
// TLS handshake) is disconnected.
//
// Per endpoint (SPEC §7 "Who may use the console"): with a PasswordCheck
// (Enable_Authentication) a client must log in before any command
// (console/login.hpp: the exchange, the delay from the fourth failure, the
// close at the tenth); the check runs on the listener's one login thread
// (runtime::WorkerThread), never on the event loop. With a TLS context (a
// TCP Listen's tls_certificate/tls_key) the connection is TLS from its
// first byte.
//
// Accepting, back-off and supervision are runtime's (runtime::Acceptor per
// address, each session started with runtime::spawn as "control session N").
// Leaves to others: the commands themselves (CommandRegistry), reading the
// password file and the certificates (the daemon's wiring), the --check
// rules on which Listen needs what (config/console_checks.hpp).
// Executor: one io_context; listen() and start() before or on its thread,
// stop() from any thread. stop() closes the acceptors, ends open sessions
// (a session waiting for a command's reply ends after writing it) and
// removes the socket files.
// Failures: bind failures (and TLS on a Unix socket) are returned as
// one-line errors for the startup report; accept failures, a connection
// closed after too many failed logins, and an exception escaping a session
// (a bug) are reported, named, through `problems` (stderr when none is given).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "console/commands.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace impulse::console {

// True when `password` is `user`'s. Called on the listener's login thread,
// never on an event loop: it must be thread-safe, and may take milliseconds.
using PasswordCheck = std::function<bool(const std::string& user, const std::string& password)>;

struct ControlEndpoint {
  std::string address;          // "/path/to/socket", "unix:/path", "127.0.0.1:2025", "[::1]:2025"
  unsigned file_mode = 0660;    // Unix sockets only
  PasswordCheck login = {};     // set: a client must log in before any command
  std::shared_ptr<boost::asio::ssl::context> tls = nullptr;  // set (TCP only): TLS from the first byte
};

class ControlListener {
 public:
  // One line per problem (runtime::ProblemSink); thread-safe.
  using ProblemSink = std::function<void(std::string_view)>;

  ControlListener(boost::asio::io_context& io, const CommandRegistry& registry, std::chrono::seconds idle_timeout,
                  ProblemSink problems = {});
  ~ControlListener();
  ControlListener(const ControlListener&) = delete;
  ControlListener& operator=(const ControlListener&) = delete;

  Result<void> listen(const ControlEndpoint& ep);  // binds now
  void start();                                    // begins accepting
  void stop();                                     // thread-safe

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace impulse::console
