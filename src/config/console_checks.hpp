// The configuration check of who may use the console (SPEC §7 "Who may use
// the console"; reference/momentum.md §8.1), run by validate() over the
// merged scope tree so --check, start-up and a reload all refuse it. For
// each Control_Listener `Listen` (options on the Listen or its listener):
//   error  a TCP address that is not loopback (127.0.0.0/8, ::1; "*:P",
//          ":P", 0.0.0.0, ::, host names count as not loopback) unless it
//          sets `Enable_Authentication = true`, `Console_Password_File` and
//          `tls_certificate` (+ `tls_key`): reported at the Listen, saying
//          what to add (with authentication but no TLS: "passwords would
//          cross the network in the clear").
//   error  `Enable_Authentication = true` without a password file on a
//          loopback address or a socket (nobody could log in).
//   error  a Console_Password_File that cannot be read or is not
//          `user:hash` lines (protocol/smtp_auth_passwords.hpp), at the option.
//   error  `tls_certificate` on a Unix socket's own Listen (one on
//          Control_Listener serves its TCP Listens); `tls_key` without a certificate.
// The certificate files themselves are read when the listener opens.
// Unix sockets are guarded by File_Mode and need nothing more. Enforcing
// the login and TLS is the control listener's (console/control_listener.hpp).
// Reads the password files (small, once per load) on the loading thread.
// Never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_console(const ScopeNode& root, Diagnostics& errors);

// True for a Control_Listener address that is a Unix socket (the control
// listener's rule: "unix:PATH", a path, or text without ':').
bool is_console_socket_path(std::string_view address);

// True for "127.x.y.z:P" and "[::1]:P".
bool is_loopback_listen(std::string_view address);

}  // namespace impulse::config
