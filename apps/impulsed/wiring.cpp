// Implementation of wiring.hpp. Components are added as their libraries land.
#include "wiring.hpp"

#include "console_component.hpp"

namespace impulse::daemon {

impulse::expected<void, std::string> wire_components(Daemon& d) {
  auto console = std::make_shared<ConsoleComponent>(d);
  if (auto r = console->start(); !r) return r;
  d.add(console);
  return {};
}

}  // namespace impulse::daemon
