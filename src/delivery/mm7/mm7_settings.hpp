// Mm7Settings: what the MM7 transport needs for one (binding, domain) under
// one snapshot, as plain values (SPEC §14; reference/momentum.md §9.4).
// Filled by mm7_settings_from_config (mm7_settings_config.hpp); tests fill
// it by hand. Shared read-only by the queue's sessions; any thread.
//
// Deadlines (docs/architecture.md rule 5):
//   connect_timeout   TCP connect and TLS handshake
//   response_timeout  MM7_Response_Timer: writing a SubmitReq and reading its answer
//   idle_timeout      how long an idle keep-alive connection stays open
// Failure modes: none (data only).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "delivery/http1/http1_tls.hpp"
#include "protocol/mm7_response.hpp"

namespace impulse::delivery::mm7 {

struct Mm7Settings {
  // SubmitReq fields.
  std::string namespace_uri;           // MM7_Namespace, else MM7_XML_Schema
  std::string soap_env = "env";        // MM7_SOAP_Env
  std::string version = "6.8.0";       // MM7_Version
  std::string vaspid;                  // MM7_VASPID
  std::string vasid = "MessageSystems-VASID";  // MM7_VASID
  std::string sender_address;          // MM7_Sender_Address
  std::string service_code;            // MM7_Service_Code
  std::string message_class = "personal";  // MM7_Message_Class
  bool delivery_report = false;        // MM7_Delivery_Report
  bool read_reply = false;             // MM7_Read_Reply
  std::string number_prefix;           // MM7_Number_Prefix
  protocol::Mm7StatusOverrides overrides;  // MM7_Permanent_Status_Codes / MM7_Temporary_Status_Codes

  // HTTP.
  std::string http_uri;                // HTTP_URI: the path when the route URL has none
  std::string http_host;               // HTTP_Host: overrides the Host header
  std::string basic_auth;              // HTTP_Basic_Auth "user:password"; "" = none
  bool tls_required = false;           // tls = required: HTTPS even on an mm7:// route
  http1::Http1TlsOptions tls;          // verify unless tls_verify = no; tls_ca; client certificate
  std::string bind_address;            // "" = the kernel chooses

  std::chrono::milliseconds connect_timeout{300'000};
  std::chrono::milliseconds response_timeout{10'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::uint32_t max_deliveries_per_connection = 0;  // 0 = unlimited
  std::chrono::seconds credentials_hold{120};        // Host_Failure_Retry: queue hold on HTTP 401
  std::chrono::seconds message_expiration{86'400};   // how long a MessageID is kept for delivery reports
};

}  // namespace impulse::delivery::mm7
