// The configuration check for DANE's validating resolver (SPEC §19;
// delivery/smtp/dane_lookup.hpp):
//   warning  `use_dane = true` below global, or `enable_dane = true` (its
//            synonym, delivery/smtp/dane_lookup.hpp) anywhere, while DNSSEC
//            validation is off: the delivery resolver validates only when
//            `use_dane = true` is global or `DNSSEC_Trust_Anchor_File` is
//            set (delivery/delivery_loop_resolver.cpp), so without either
//            every answer is unsigned and DANE never applies there. Reported
//            at the option, saying what to set.
// Warnings never make the file invalid. Pure; no I/O; never throws.
#pragma once

#include "config/diagnostic.hpp"
#include "config/validator.hpp"

namespace impulse::config {

void check_dane(const ScopeNode& root, Diagnostics& warnings);

}  // namespace impulse::config
