// Implementation of wiring.hpp: the order components start in.
#include "wiring.hpp"

#include "console_component.hpp"
#include "mta_component.hpp"

namespace impulse::daemon {

impulse::expected<void, std::string> wire_components(Daemon& d, StderrReporter& reporter) {
  auto mta = std::make_shared<MtaComponent>(d, reporter);
  if (auto r = mta->start(); !r) return r;
  d.add(mta);
  auto console = std::make_shared<ConsoleComponent>(d);
  if (auto r = console->start(); !r) return r;
  d.add(console);
  return {};
}

}  // namespace impulse::daemon
