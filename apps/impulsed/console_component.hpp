// ConsoleComponent: the Control_Listener of the running daemon and its
// command table. The commands themselves (console/admin_commands.hpp) are
// registered by wiring through registry() before start(). Runs on event
// loop 0.
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
  Daemon& daemon_;
  console::CommandRegistry registry_;
  std::unique_ptr<console::ControlListener> listener_;
};

}  // namespace impulse::daemon
