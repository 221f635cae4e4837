// The configuration check's APN rules (SPEC §1 warnings, §12
// "Authentication" and the retired binary-protocol hosts), run by
// validate() over the merged scope tree:
//   error    token authentication (apn_key_file / apn_key_id / apn_team_id)
//            and certificate authentication (tls_certificate) set in one scope;
//   warning  a domain delivered by APN with neither authentication along
//            its scope chain (its messages will wait: 451 4.7.0);
//   warning  each route naming gateway.push.apple.com or
//            gateway.sandbox.push.apple.com on port 2195 (taken as the
//            HTTP/2 API, config/apn_routes.hpp).
// Warnings never make the file invalid. Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_apn(const ScopeNode& root, Diagnostics& errors, Diagnostics& warnings);

}  // namespace impulse::config
