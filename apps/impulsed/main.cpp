// impulsed entry point: command line, configuration check, then the daemon
// (SPEC §1, §10). Exit status: 0 after a graceful stop or a valid --check,
// 1 on an invalid configuration or a startup failure, 2 on a usage error.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "config/config.hpp"
#include "daemon.hpp"
#include "impulse_version.hpp"
#include "reporter.hpp"
#include "wiring.hpp"

int main(int argc, char** argv) {
  using namespace impulse;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cl = daemon::parse_command_line(args);
  if (!cl) {
    std::fprintf(stderr, "impulsed: %s\n%s", cl.error().c_str(), daemon::usage_text());
    return 2;
  }
  if (cl->help) {
    std::fputs(daemon::usage_text(), stdout);
    return 0;
  }
  if (cl->version) {
    std::printf("impulsed (Impulse) %s\n", kVersion);
    return 0;
  }

  auto cfg = config::load_config(cl->config_path);
  if (!cfg) {
    for (const auto& d : cfg.error()) std::fprintf(stderr, "%s\n", d.str().c_str());
    if (!cl->check_only)
      std::fprintf(stderr, "impulsed: %s: configuration has %zu error(s); not starting\n", cl->config_path.c_str(),
                   static_cast<std::size_t>(std::count_if(cfg.error().begin(), cfg.error().end(),
                                                          [](const config::Diagnostic& d) { return !d.warning; })));
    return 1;
  }
  for (const auto& w : (*cfg)->warnings()) std::fprintf(stderr, "%s\n", w.str().c_str());  // never fatal (SPEC §1)
  if (cl->check_only) {
    std::printf("%s: configuration OK\n", cl->config_path.c_str());
    return 0;
  }

  daemon::StderrReporter reporter;
  daemon::Daemon d(cl->config_path, *cfg, reporter,
                   cl->event_loops != 0 ? cl->event_loops : daemon::default_event_loop_count());
  if (auto started = daemon::wire_components(d, reporter); !started) {
    std::fprintf(stderr, "impulsed: %s\n", started.error().c_str());
    return 1;
  }
  return d.run();
}
