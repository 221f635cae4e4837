// The syntax of an `Auth_Password_File` (SPEC §19): one `user:hash` per
// line, the hash in a crypt(3) format ("$y$..." yescrypt, "$6$..."
// sha512-crypt, "$2b$..." bcrypt, ...); empty lines and lines starting with
// '#' are ignored; a trailing CR is dropped. Errors name the line:
// "line 3: expected user:hash", "line 4: user alice given twice",
// "line 5: the hash is not in a crypt(3) format".
// Leaves to others: reading the file and verifying passwords against the
// hashes (inbound/esmtp_auth_passwords, with libcrypt), the --check rule
// (config/auth_checks). Pure: no I/O, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace impulse::protocol {

struct PasswordEntry {
  std::string user;
  std::string hash;
};

impulse::expected<std::vector<PasswordEntry>, std::string> parse_password_file(std::string_view text);

}  // namespace impulse::protocol
