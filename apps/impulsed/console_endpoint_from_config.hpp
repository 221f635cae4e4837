// The console endpoint of one Control_Listener `Listen` from the running
// configuration (SPEC §7 "Who may use the console"): its File_Mode; with
// `Enable_Authentication = true`, a login checked against
// Console_Password_File (read now into inbound::AuthPasswords: crypt(3)
// hashes through libcrypt); with `tls_certificate` (and `tls_key`, else the
// certificate file holds the key too) on the Listen or its listener, a TLS
// server context (inbound::make_server_tls_context). A global
// tls_certificate (outbound client certificates) does not make the console TLS.
// Wiring only. The password file and certificates are read at start-up: a
// change needs a restart (the reload's --check rules still apply to it).
// Failures: an unreadable or unusable password file or certificate is a
// start-up error naming the file.
#pragma once

#include <string>

#include "base/expected.hpp"
#include "config/config.hpp"
#include "console/control_listener.hpp"

namespace impulse::daemon {

impulse::expected<console::ControlEndpoint, std::string> control_endpoint_from(const config::Config& cfg,
                                                                              const std::string& address);

}  // namespace impulse::daemon
