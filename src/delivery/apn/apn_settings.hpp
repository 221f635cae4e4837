// ApnSettings: what the APN transport needs for one (binding, domain) under
// one snapshot, as plain values (SPEC §12; reference/momentum.md §9.2).
// Filled by apn_settings_from_config (apn_settings_config.hpp); tests fill
// it by hand. Shared read-only by the queue's sessions; any thread.
//
// Deadlines (docs/architecture.md rule 5):
//   connect_timeout   TCP connect, TLS handshake and the server's SETTINGS
//   response_timeout  each response (delivery_response_timeout, ms); also
//                     bounds each socket write
//   idle_timeout      how long an idle connection stays open
// Failure modes: none (data only).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "delivery/http2/http2_tls.hpp"

namespace impulse::delivery::apn {

enum class ApnAuth {
  kNone,         // neither: messages fail transiently (451 4.7.0), the queue is held
  kToken,        // APN_Key_File + APN_Key_ID + APN_Team_ID: ES256 bearer token
  kCertificate,  // tls_certificate (+ tls_key) as the TLS client certificate
};

struct ApnSettings {
  ApnAuth auth = ApnAuth::kNone;
  std::string key_file;  // APN_Key_File (.p8 PEM EC key)
  std::string key_id;    // APN_Key_ID
  std::string team_id;   // APN_Team_ID

  // Request fields used when the channel part does not set them.
  std::string topic;               // APN_Topic
  std::string push_type = "alert";  // APN_Push_Type
  std::string priority;            // APN_Priority; "" = not sent
  std::int64_t expiry_seconds = 0;  // APN_Expiry, relative; 0 = not sent

  http2::Http2TlsOptions tls;  // verify unless tls_verify = no; tls_ca; client certificate
  bool tls_required = false;   // tls = required: also over an http:// route on a port other than 443
  std::string bind_address;    // "" = the kernel chooses

  std::chrono::milliseconds connect_timeout{300'000};
  std::chrono::milliseconds response_timeout{5'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::uint32_t max_deliveries_per_connection = 0;  // 0 = unlimited
  std::chrono::seconds credentials_hold{120};        // Host_Failure_Retry: queue hold when credentials fail
};

}  // namespace impulse::delivery::apn
