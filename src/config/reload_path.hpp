// Which file `config reload PATH` may load (SPEC §7): only one under the
// directory of the running configuration, after resolving symlinks and
// `..` (std::filesystem::weakly_canonical), so no console client can make
// the daemon read and quote an arbitrary file. The refusal does not quote
// the path's contents (nothing is opened here) nor where it resolved to.
// Leaves loading and reporting diagnostics to load_config(). Pure apart
// from reading the file system's links; any thread. Never throws.
#pragma once

#include <string>

#include "base/error.hpp"

namespace impulse::config {

// `requested` empty = the running file itself. Returns the path to load.
Result<std::string> confine_reload_path(const std::string& running_config, const std::string& requested);

}  // namespace impulse::config
