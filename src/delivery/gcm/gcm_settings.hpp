// GcmSettings: what the GCM transport needs for one (binding, domain) under
// one snapshot, as plain values (SPEC §13; reference/momentum.md §9.3).
// Filled by gcm_settings_from_config (gcm_settings_config.hpp); tests fill
// it by hand. Shared read-only by the queue's sessions; any thread.
//
// Deadlines (docs/architecture.md rule 5):
//   connect_timeout   TCP connect, TLS handshake and the server's SETTINGS
//                     (also for the OAuth token endpoint)
//   response_timeout  each response, the token endpoint's too
//                     (delivery_response_timeout, ms)
//   idle_timeout      how long an idle connection stays open
// Failure modes: none (data only).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "delivery/http2/http2_tls.hpp"
#include "dns/address_order.hpp"
#include "protocol/gcm_request.hpp"
#include "protocol/service_account.hpp"

namespace impulse::delivery::gcm {

enum class GcmAuth {
  kNone,            // neither: messages fail transiently (451 4.7.0), the queue is held
  kServiceAccount,  // GCM_Service_Account: FCM HTTP v1 with an OAuth2 access token
  kLegacyKey,       // GCM_Authorization_Token_ID: the legacy API, authorization: key=<id>
};

struct GcmSettings {
  GcmAuth auth = GcmAuth::kNone;
  std::string service_account_file;  // GCM_Service_Account
  protocol::ServiceAccount account;  // its contents (kServiceAccount)
  std::string project_id;            // GCM_Project_ID, else the file's project_id
  std::string legacy_key;            // GCM_Authorization_Token_ID
  std::string http_uri = "/gcm/send";  // HTTP_URI (legacy path)

  protocol::GcmOptions request;  // GCM_TTL, GCM_Dry_Run, GCM_Delay_While_Idle, GCM_Application_ID

  http2::Http2TlsOptions tls;  // verify unless tls_verify = no; tls_ca (also for the token endpoint)
  std::string bind_address;    // "" = the kernel chooses
  dns::AddressPolicy address_policy;  // use_ipv6, prefer_ipv6_mxs: for the token_uri host

  std::chrono::milliseconds connect_timeout{300'000};
  std::chrono::milliseconds response_timeout{5'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::uint32_t max_deliveries_per_connection = 0;  // 0 = unlimited
  std::chrono::seconds credentials_hold{120};        // Host_Failure_Retry
};

}  // namespace impulse::delivery::gcm
