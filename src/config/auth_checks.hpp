// The configuration check's SMTP AUTH rule (SPEC §19), run by validate()
// over the merged scope tree, so --check and a reload refuse a password
// file the listener could not use:
//   error  an auth_password_file that cannot be read, or with a line that
//          is not `user:hash` (a crypt(3) hash), or a user given twice
//          (protocol/smtp_auth_passwords.hpp), reported at the option.
// Whether libcrypt takes each hash is checked again when the listener
// loads the file (inbound/esmtp_auth_passwords.hpp).
// Reads the files (small, once per load). Runs on the loading thread.
// Never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_auth(const ScopeNode& root, Diagnostics& errors);

}  // namespace impulse::config
