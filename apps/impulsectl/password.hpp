// The console password for `impulsectl -u USER` (SPEC §7): from
// $IMPULSE_CONSOLE_PASSWORD when set (scripts, tests), else typed on the
// controlling terminal (/dev/tty) with echo off, the terminal restored
// afterwards. Leaves the login exchange to console/login.hpp.
// Failures: no variable and no terminal (or end of input) is a one-line
// error telling how to give the password.
#pragma once

#include <string>

#include "base/expected.hpp"

namespace impulsectl {

impulse::expected<std::string, std::string> read_password(const std::string& user);

}  // namespace impulsectl
