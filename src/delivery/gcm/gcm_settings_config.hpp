// Reads GcmSettings for a (binding, domain) from a configuration snapshot
// (SPEC §13: GCM_Service_Account, GCM_Project_ID,
// GCM_Authorization_Token_ID, HTTP_URI, GCM_TTL, GCM_Dry_Run,
// GCM_Delay_While_Idle, GCM_Application_ID, tls_*, delivery_response_timeout,
// idle_timeout, connect_timeout, bind_address, max_deliveries_per_connection,
// host_failure_retry). The service-account file is read and parsed here
// (once per snapshot and queue). TLS verification is on unless tls_verify =
// no is set in a scope that applies (SPEC §11 "Secure by default").
//
// Leaves to others: --check diagnostics (config/gcm_checks.hpp), what
// missing credentials do to a message (gcm_session). Reads one file; any
// thread.
// Failure modes: an error for both authentications set, an unreadable or
// malformed service-account file, a bad bind_address (the connection
// manager then reports "delivery method not available" with this text).
#pragma once

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/gcm/gcm_settings.hpp"

namespace impulse::delivery::gcm {

Result<GcmSettings> gcm_settings_from_config(const config::Config& config, const config::OutboundKey& key);

// Reads and parses a service-account file ("<file>: <why>" on failure).
impulse::expected<protocol::ServiceAccount, std::string> load_service_account(const std::string& file);

}  // namespace impulse::delivery::gcm
