// Source locations and diagnostics for the configuration language.
// Every config error is a Diagnostic printed as `FILE:LINE:COL: error: TEXT`
// (SPEC §2, §10: 1-based line and column, pointing at the start of the
// offending token); advice that leaves the file valid (SPEC §1: a retired
// endpoint, missing credentials) is a warning, `FILE:LINE:COL: warning:
// TEXT`, and never changes an exit status. Pure values; no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace impulse::config {

struct SourceLoc {
  std::string file;   // path as given (include paths joined to the includer's dir)
  std::uint32_t line = 0;  // 1-based
  std::uint32_t col = 0;   // 1-based, in bytes
};

struct Diagnostic {
  SourceLoc loc;
  std::string message;
  bool warning = false;

  // "FILE:LINE:COL: error: MESSAGE" (or "warning:")
  std::string str() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace impulse::config
