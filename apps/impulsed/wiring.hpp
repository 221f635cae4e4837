// wire_components: builds the daemon's components from the configuration
// (spool, scheduler, listeners, console, loggers) and registers them with
// the Daemon. The one place that knows how the libraries fit together.
// Returns a one-line error for a startup failure (address in use, spool
// unusable) so main() can print it and exit 1.
#pragma once

#include <string>

#include "base/expected.hpp"
#include "daemon.hpp"

namespace impulse::daemon {

class StderrReporter;
impulse::expected<void, std::string> wire_components(Daemon& d, StderrReporter& reporter);

}  // namespace impulse::daemon
