// ConsoleComponent: the Control_Listener of the running daemon plus the
// daemon-level console commands (version, pid, help, shutdown,
// config reload [PATH], config eval SCOPE... OPTION). Queue, domain and
// message commands are registered by the components that own those objects
// (through registry()) before start(). Runs on event loop 0.
#pragma once

#include <memory>
#include <string>

#include "base/expected.hpp"
#include "component.hpp"
#include "console/commands.hpp"

namespace impulse::console {
class ControlListener;
}

namespace impulse::daemon {

class Daemon;

class ConsoleComponent : public Component {
 public:
  explicit ConsoleComponent(Daemon& d);
  ~ConsoleComponent() override;

  console::CommandRegistry& registry() { return registry_; }
  // Binds every Listen of Control_Listener; error text on failure.
  impulse::expected<void, std::string> start();

  std::string name() const override { return "console"; }
  void stop(std::function<void()> done) override;

 private:
  void add_daemon_commands();
  Daemon& daemon_;
  console::CommandRegistry registry_;
  std::unique_ptr<console::ControlListener> listener_;
};

}  // namespace impulse::daemon
