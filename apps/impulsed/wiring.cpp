// Implementation of wiring.hpp. Components are added as their libraries land.
#include "wiring.hpp"

namespace impulse::daemon {

impulse::expected<void, std::string> wire_components(Daemon& d) {
  (void)d;
  return {};
}

}  // namespace impulse::daemon
