// Argument helpers shared by the console's commands: counts, a leading
// "quiet", "all". Pure; any thread.
#pragma once

#include <charconv>
#include <cstddef>
#include <string_view>

#include "base/strings.hpp"
#include "console/commands.hpp"

namespace impulse::console {

// A whole-string unsigned decimal.
inline bool parse_count(std::string_view s, std::size_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Removes a leading "quiet" (any case); true if there was one.
inline bool take_quiet(Words& a) {
  if (a.empty() || !iequals(a[0], "quiet")) return false;
  a.erase(a.begin());
  return true;
}

inline bool is_all(std::string_view word) { return iequals(word, "all"); }

}  // namespace impulse::console
