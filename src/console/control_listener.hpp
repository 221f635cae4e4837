// ControlListener: the Control_Listener (SPEC §7; reference/momentum.md
// §8.1): accepts console clients on Unix sockets (created with File_Mode)
// and TCP addresses, reads one command per line, dispatches it through the
// CommandRegistry and writes the framed reply (console/wire.hpp). A client
// idle longer than `Timeout` (reading a command or taking a reply) is
// disconnected.
//
// Accepting, back-off and supervision are runtime's (runtime::Acceptor per
// address, each session started with runtime::spawn as "control session N").
// Leaves to others: the commands themselves (CommandRegistry).
// Executor: one io_context; listen() and start() before or on its thread,
// stop() from any thread. stop() closes the acceptors, ends open sessions
// (a session waiting for a command's reply ends after writing it) and
// removes the socket files.
// Failures: bind failures are returned as one-line errors for the startup
// report; accept failures and an exception escaping a session (a bug) are
// reported, named, through `problems` (stderr when none is given).
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
}

namespace impulse::console {

struct ControlEndpoint {
  std::string address;          // "/path/to/socket", "unix:/path", "127.0.0.1:2025", "[::1]:2025"
  unsigned file_mode = 0660;    // Unix sockets only
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
