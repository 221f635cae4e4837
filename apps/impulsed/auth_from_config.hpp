// SMTP AUTH (SPEC §19) into the ESMTP listener's settings: each Listen's
// Auth_Allow_Plaintext, and a source of its Auth_Password_File's users
// (inbound::AuthPasswords) that follows the running configuration: the
// file is read now (an unreadable or malformed file is a start-up error
// naming it), and again on the first AUTH or EHLO after a reload (the
// reload itself already refused a malformed file: config/auth_checks; a
// file libcrypt cannot use then keeps the previous users and is reported
// through `problem`). Wiring only; the source is thread-safe (a mutex
// around a pointer swap) and called from every event loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "config/live_config.hpp"
#include "inbound/listener_settings.hpp"

namespace impulse::daemon {

// `listens` as esmtp_listens_from made them: one per listens("esmtp_listener"), in order.
impulse::expected<void, std::string> set_auth(std::vector<inbound::ListenerSettings>& listens,
                                              const config::LiveConfig& live,
                                              std::function<void(const std::string&)> problem);

}  // namespace impulse::daemon
