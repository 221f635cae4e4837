// The configuration check's rule for the outbound TLS policies that are
// configurable but not yet enforced (SPEC §19 DANE and MTA-STS; issue 20):
//   warning  `use_dane = true` or `use_mta_sts = true` in any scope
//            (`enable_dane` / `enable_mta_sts` default to true and matter
//            only once `use_*` is set): the resolver
//            validates DNSSEC and the building blocks exist
//            (delivery/smtp/dane_*, mta_sts_*), but the SMTP client does
//            not apply them yet, so delivery uses the configured `tls` and
//            `tls_verify`. An operator must not believe mail is protected
//            when it is not.
// Remove this rule when the SMTP client enforces both. Warnings never make
// the file invalid. Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_tls_policies(const ScopeNode& root, Diagnostics& warnings);

}  // namespace impulse::config
