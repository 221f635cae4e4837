// Implementation of config/diagnostic.hpp.
#include "config/diagnostic.hpp"

#include <fmt/format.h>

namespace impulse::config {

std::string Diagnostic::str() const {
  return fmt::format("{}:{}:{}: {}: {}", loc.file, loc.line, loc.col, warning ? "warning" : "error", message);
}

}  // namespace impulse::config
