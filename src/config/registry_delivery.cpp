// Option table: the delivery session (SPEC §4; reference/momentum.md §2.4,
// §3, §6, §9): TLS, XCLIENT, EHLO, 8BITMIME, batching, per-phase timeouts,
// and the HTTP-style methods (APN, GCM, MM7).
#include "config/registry.hpp"

namespace impulse::config {

std::vector<OptionDef> delivery_options() {
  using namespace opt;
  constexpr ScopeSet kTlsScopes = kOutbound | kListeners | ScopeKind::Listen | ScopeKind::Peer;
  constexpr ScopeSet kBindingDomainGlobal = ScopeKind::Global | ScopeKind::Binding | ScopeKind::Domain;
  return {
      // TLS (outbound; certificate, key, ciphers and protocols also for listeners).
      one_of("tls", "no", {"no", "ifavailable", "required"}, kOutbound),
      boolean("tls_ifavailable_fallback", "true", kOutbound),
      path("tls_certificate", "", kTlsScopes),
      path("tls_key", "", kTlsScopes),
      in_modules(path("tls_ca", "", kOutbound), {"webhook"}),  // also a webhook's extra trust anchors
      path("tls_client_ca", "", kListeners | ScopeKind::Listen | ScopeKind::Peer),
      one_of("tls_verify", "no", {"no", "ca", "host", "optional"}, kOutbound),
      text("tls_ciphers", "", kTlsScopes),
      text("tls_protocols", "+ALL", kTlsScopes),
      // Session.
      one_of("xclient", "no", {"no", "ifavailable", "required"}, kOutbound),
      text("ehlo_hostname", "__hostname__", kOutbound),
      one_of("send_8bitmime", "no", {"no", "ifavailable"}, kOutbound),
      // Outbound SMTP AUTH (SPEC §19; Momentum's outbound_smtp_auth): sent
      // only over TLS unless the target is loopback; no user = no AUTH.
      one_of("outbound_smtp_auth_type", "PLAIN", {"PLAIN", "LOGIN"}, kOutbound),
      text("outbound_smtp_auth_user", "", kOutbound),
      text("outbound_smtp_auth_pass", "", kOutbound),
      one_of("transform_8bitmime_content", "ifneeded", {"no", "ifneeded", "strict", "strip"}, kOutbound),
      // Per-phase timeouts (seconds).
      seconds("connect_timeout", "300", kOutbound),
      seconds("ehlo_timeout", "300", kOutbound),
      seconds("mailfrom_timeout", "300", kOutbound),
      seconds("rcptto_timeout", "300", kOutbound),
      seconds("body_timeout", "600", kOutbound),
      seconds("rset_timeout", "30", kOutbound),
      seconds("idle_timeout", "5", kOutbound),
      millis("delivery_response_timeout", "5000", kBindingDomainGlobal),
      // HTTP-style delivery (APN, GCM, MM7).
      text("http_host", "", kOutbound),
      text("http_uri", "", kOutbound),
      one_of("http_method", "post", {"post", "get", "delete", "set"}, kOutbound),
      one_of("http_version", "1.1", {"0.9", "1.0", "1.1"}, kOutbound),
      text("http_basic_auth", "", kOutbound),
      // APN: Momentum publishes no default for apn_expiry; 0 = no expiry sent.
      restart_only(seconds("apn_expiry", "0", kOutbound)),
      // APN over the HTTP/2 provider API (SPEC §12): token authentication
      // (key file, key id, team id) or tls_certificate/tls_key; headers.
      path("apn_key_file", "", kOutbound),
      text("apn_key_id", "", kOutbound),
      text("apn_team_id", "", kOutbound),
      text("apn_topic", "", kOutbound),
      text("apn_push_type", "alert", kOutbound),
      text("apn_priority", "", kOutbound),  // "" = not sent; else 10, 5 or 1
      // GCM (SPEC §13): FCM HTTP v1 with a service-account file, or the legacy key.
      path("gcm_service_account", "", kOutbound),
      text("gcm_project_id", "", kOutbound),  // "" = the service account's project_id
      text("gcm_authorization_token_id", "", kOutbound),
      text("gcm_application_id", "", kOutbound),
      boolean("gcm_delay_while_idle", "false", kOutbound),
      boolean("gcm_dry_run", "false", kOutbound),
      integer("gcm_ttl", "-1", -1, 2419200, kOutbound),
      // MM7.
      text("mm7_version", "6.8.0", kOutbound),
      text("mm7_xml_schema",
           "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4", kOutbound),
      text("mm7_vasid", "MessageSystems-VASID", kOutbound),
      text("mm7_vaspid", "", kOutbound),
      one_of("mm7_message_class", "personal", {"personal", "informational", "advertisement", "auto"}, kOutbound),
      boolean("mm7_delivery_report", "false", kOutbound),
      boolean("mm7_read_reply", "false", kOutbound),
      seconds("mm7_response_timer", "10", kOutbound),
      text("mm7_sender_address", "", kOutbound),
      text("mm7_service_code", "", kOutbound),
      text("mm7_namespace", "", kOutbound),
      text("mm7_number_prefix", "", kOutbound),
      text("mm7_soap_env", "env", kOutbound),
      // SPEC §14: per-MMSC overrides of the status-code classes (lists of codes).
      make("mm7_permanent_status_codes", OptionType::StringList, "", kBindingDomainGlobal),
      make("mm7_temporary_status_codes", OptionType::StringList, "", kBindingDomainGlobal),
  };
}

}  // namespace impulse::config
