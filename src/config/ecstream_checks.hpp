// The configuration check's ECSTREAM rules (SPEC §1 warnings, §15;
// reference/momentum.md §9.5: "do not use routes with ECSTREAM delivery;
// use gateway"), run by validate() over the merged scope tree, where the
// file shows them (the outbound chain's binding/domain fallback is not
// resolved here, so only what one scope and its enclosing scopes say):
//   warning  a scope setting Delivery_Method = ECSTREAM with no Gateway in
//            it or an enclosing scope (its mail would wait: 451 4.4.0
//            [internal] ECSTREAM delivers to a Gateway; none is configured);
//   warning  Routes in a scope delivered by ECSTREAM (they are not used).
// Warnings never make the file invalid. Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_ecstream(const ScopeNode& root, Diagnostics& warnings);

}  // namespace impulse::config
