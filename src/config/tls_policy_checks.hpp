// The configuration check's rule for the outbound TLS policies that are
// configurable but not yet enforced (SPEC §19 DANE and MTA-STS; issue 20):
//   warning  `use_mta_sts = true` in any scope (`enable_mta_sts`
//            defaults to true and matters only once `use_mta_sts` is set):
//            the building blocks exist (delivery/smtp/mta_sts_*), but the
//            SMTP client does not apply them yet, so delivery uses the
//            configured `tls` and `tls_verify`. An operator must not
//            believe mail is protected when it is not. (`use_dane` is
//            enforced since issue 20: no warning.)
// Remove this rule when the SMTP client enforces MTA-STS. Warnings never make
// the file invalid. Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_tls_policies(const ScopeNode& root, Diagnostics& warnings);

}  // namespace impulse::config
