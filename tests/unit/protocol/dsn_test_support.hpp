// Helpers shared by the DSN tests (test_dsn.cpp, test_dsn_text.cpp): a wall
// time from Unix seconds, and quoted-printable decoding of a report part.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.hpp"

namespace impulse::protocol::dsn_testing {

inline WallTime at(std::int64_t unix_seconds) { return WallTime{std::chrono::seconds(unix_seconds)}; }

// Quoted-printable (RFC 2045 §6.7) decoded; soft line breaks removed.
inline std::string qp_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;  // soft line break
    } else if (in[i] == '=' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace impulse::protocol::dsn_testing
