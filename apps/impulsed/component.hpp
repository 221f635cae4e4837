// Component: what the daemon starts, reconfigures and stops (listeners,
// scheduler, spool, console, loggers). The daemon owns the order: started
// in registration order, stopped in reverse. stop() must call `done` exactly
// once, from any thread, when the component has finished (the daemon waits
// at most the grace period of SPEC §1: 10 s).
#pragma once

#include <functional>
#include <string>

#include "config/config.hpp"

namespace impulse::daemon {

class Component {
 public:
  virtual ~Component() = default;
  virtual std::string name() const = 0;
  // A validated new configuration has been swapped in.
  virtual void on_reload(const config::ConfigPtr&) {}
  // Graceful stop: finish or abandon in-flight work, then done().
  virtual void stop(std::function<void()> done) = 0;
};

}  // namespace impulse::daemon
