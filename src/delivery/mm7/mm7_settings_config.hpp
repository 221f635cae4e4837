// Reads Mm7Settings for a (binding, domain) from a configuration snapshot
// (SPEC §14: the MM7_* options, HTTP_URI, HTTP_Host, HTTP_Basic_Auth, tls,
// tls_* options, connect_timeout, idle_timeout, bind_address,
// max_deliveries_per_connection, Host_Failure_Retry, message_expiration).
// TLS verification is on unless tls_verify = no is set in a scope that
// applies (SPEC §11 "Secure by default"; the option's built-in default
// "no" is SMTP's).
//
// Leaves to others: the route's scheme and path (the transport). Pure
// function of the snapshot; any thread.
// Failure modes: an error for a status-code override that is not a number,
// an HTTP_Basic_Auth without ':', a bad bind_address (the connection
// manager then reports "delivery method not available" with this text).
#pragma once

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/mm7/mm7_settings.hpp"

namespace impulse::delivery::mm7 {

Result<Mm7Settings> mm7_settings_from_config(const config::Config& config, const config::OutboundKey& key);

}  // namespace impulse::delivery::mm7
