// Implementation of config/reload_path.hpp.
#include "config/reload_path.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace impulse::config {

namespace fs = std::filesystem;

Result<std::string> confine_reload_path(const std::string& running_config, const std::string& requested) {
  if (requested.empty()) return running_config;
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(running_config, ec).parent_path(), ec);
  if (ec) return fail("config reload: the running configuration's directory cannot be resolved");
  const fs::path want = fs::weakly_canonical(fs::absolute(requested, ec), ec);
  if (ec) return fail("config reload: refused: the path cannot be resolved");
  // Component-wise prefix: /etc/impulse2 is not under /etc/impulse.
  auto [d, w] = std::mismatch(dir.begin(), dir.end(), want.begin(), want.end());
  if (d != dir.end() || w == want.end())
    return fail("config reload: refused: only files under the running configuration's directory (" +
                dir.string() + ") may be loaded");
  return want.string();
}

}  // namespace impulse::config
