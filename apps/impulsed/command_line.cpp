// Implementation of command_line.hpp.
#include "command_line.hpp"

#include <charconv>

namespace impulse::daemon {

impulse::expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-c" || a == "--config") {
      if (i + 1 >= args.size() || args[i + 1].empty())
        return impulse::unexpected<std::string>("option '" + a + "' needs a file name");
      cl.config_path = args[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      cl.config_path = a.substr(9);
      if (cl.config_path.empty()) return impulse::unexpected<std::string>("option '--config' needs a file name");
    } else if (a == "--event-loops") {
      std::size_t n = 0;
      const std::string v = i + 1 < args.size() ? args[++i] : std::string();
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n == 0 || n > 1024)
        return impulse::unexpected<std::string>("option '--event-loops' needs a number from 1 to 1024");
      cl.event_loops = n;
    } else if (a == "--check" || a == "-t") {
      cl.check_only = true;
    } else if (a == "--version" || a == "-V") {
      cl.version = true;
    } else if (a == "--help" || a == "-h") {
      cl.help = true;
    } else {
      return impulse::unexpected<std::string>("unknown option '" + a + "'");
    }
  }
  return cl;
}

const char* usage_text() {
  return "usage: impulsed [-c FILE] [--check] [--event-loops N] [--version] [--help]\n"
         "  -c, --config FILE  configuration file (default /etc/impulse/impulse.conf)\n"
         "  --event-loops N    N event-loop threads instead of one per CPU core\n"
         "  --check            validate the configuration, print every error, and exit\n"
         "  --version          print the version and exit\n";
}

}  // namespace impulse::daemon
