// ControlListener: the Control_Listener (SPEC §7; reference/momentum.md
// §8.1): accepts console clients on Unix sockets (created with File_Mode)
// and TCP addresses, reads one command per line, dispatches it through the
// CommandRegistry and writes the framed reply (console/wire.hpp). A client
// idle longer than `Timeout` is disconnected. Runs on one io_context;
// stop() closes the acceptors and open sessions and removes socket files.
// Bind failures are returned as one-line errors for the startup report.
#pragma once

#include <chrono>
#include <memory>
#include <string>

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
  ControlListener(boost::asio::io_context& io, const CommandRegistry& registry,
                  std::chrono::seconds idle_timeout);
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
