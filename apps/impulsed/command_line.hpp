// impulsed's command line (SPEC §1, §10): `-c FILE`, `--check`, `--version`,
// `--help`, `--event-loops N` (default: one loop per CPU core; bench/relay
// compares 1 and 2). Pure: argv in, options or a usage error out (exit
// status 2 is the caller's job).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/expected.hpp"

namespace impulse::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/impulse/impulse.conf";

struct CommandLine {
  std::string config_path = kDefaultConfigPath;
  bool check_only = false;
  bool version = false;
  bool help = false;
  std::size_t event_loops = 0;  // --event-loops N (1..1024); 0: one per CPU core
};

impulse::expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args);

const char* usage_text();

}  // namespace impulse::daemon
