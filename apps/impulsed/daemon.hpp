// Daemon: the running impulsed process (SPEC §1). Owns the event loops, the
// live configuration, the components, and the signals: SIGTERM/SIGINT =
// graceful stop (components stop in reverse order, 10 s grace, exit 0),
// SIGHUP = `config reload` (a configuration that fails validation is
// refused, its errors reported, and the running one stays).
// Thread: signals and reloads are handled on event loop 0.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "component.hpp"
#include "config/live_config.hpp"
#include "daemon_metrics.hpp"
#include "event_loops.hpp"
#include "reporter.hpp"

namespace impulse::daemon {

struct ReloadResult {
  bool ok = false;
  std::vector<std::string> errors;  // "FILE:LINE:COL: error: TEXT" lines when refused
};

class Daemon {
 public:
  Daemon(std::string config_path, config::ConfigPtr initial, Reporter& reporter, std::size_t loops);
  ~Daemon();

  EventLoops& loops() { return loops_; }
  config::LiveConfig& live_config() { return live_; }
  Reporter& reporter() { return reporter_; }
  DaemonMetrics& metrics() { return metrics_; }
  void add(std::shared_ptr<Component> c) { components_.push_back(std::move(c)); }

  // Blocks until the daemon has stopped; returns the process exit status.
  int run();

  // Validate the file (default: the one we started with) and swap it in.
  // Thread-safe; the work runs on the caller's thread.
  ReloadResult reload(const std::string& path = {});
  // Begin a graceful stop (console `shutdown`, signals). Idempotent.
  void request_shutdown();

 private:
  void arm_signals();
  void finish_shutdown();

  std::string config_path_;
  Reporter& reporter_;
  EventLoops loops_;
  config::LiveConfig live_;
  DaemonMetrics metrics_;  // outlives the components (declared before them)
  std::vector<std::shared_ptr<Component>> components_;
  std::atomic<bool> stopping_{false};
  struct Signals;
  std::unique_ptr<Signals> signals_;
};

}  // namespace impulse::daemon
