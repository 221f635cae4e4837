// Reads ApnSettings for a (binding, domain) from a configuration snapshot
// (SPEC §12: APN_* options, tls_* options, delivery_response_timeout,
// idle_timeout, connect_timeout, bind_address,
// max_deliveries_per_connection). TLS verification is on unless tls_verify
// = no is set in a scope that applies (SPEC §11 "Secure by default"; the
// option's built-in default "no" is SMTP's).
//
// Leaves to others: --check diagnostics (config/), what a missing
// credential does to a message (apn_transport). Pure function of the
// snapshot; any thread.
// Failure modes: an error for token and certificate authentication set
// together, an incomplete token configuration, a bad APN_Priority or
// bind_address (the connection manager then reports "delivery method not
// available" with this text).
#pragma once

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/apn/apn_settings.hpp"

namespace impulse::delivery::apn {

Result<ApnSettings> apn_settings_from_config(const config::Config& config, const config::OutboundKey& key);

}  // namespace impulse::delivery::apn
