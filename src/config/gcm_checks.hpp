// The configuration check's GCM rules (SPEC §13), run by validate() over
// the merged scope tree:
//   error    GCM_Service_Account (FCM HTTP v1) and GCM_Authorization_Token_ID
//            (legacy API) both set in one scope;
//   error    a GCM_Service_Account file that cannot be read or is not a
//            Google service-account key (protocol/service_account.hpp);
//   warning  a domain delivered by GCM with neither along its scope chain
//            (its messages will wait: 451 4.7.0 [internal] GCM credentials
//            not configured). Seed 000's example has none: a warning only.
// Reads the service-account files it names; no other I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_gcm(const ScopeNode& root, Diagnostics& errors, Diagnostics& warnings);

}  // namespace impulse::config
