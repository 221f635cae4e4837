// Option table: injection and control listeners (SPEC §6-7;
// reference/momentum.md §1.3, §8.1, §9.5, §11). Listener options cascade
// Peer -> Listen -> listener -> global (Config::resolve_listener).
#include "config/registry.hpp"

namespace impulse::config {

std::vector<OptionDef> listener_options() {
  using namespace opt;
  using T = OptionType;
  constexpr auto kInt32Max = std::numeric_limits<std::int32_t>::max();
  constexpr ScopeSet kAnyListener = kListeners | ScopeKind::Listen | ScopeKind::Peer;
  constexpr ScopeSet kSmtpOrHttp = kEsmtpListener | ScopeKind::HttpListener;
  constexpr ScopeSet kControl = ScopeKind::ControlListener | ScopeKind::Listen;
  constexpr ScopeSet kEcstream = ScopeKind::EcstreamListener | ScopeKind::Listen | ScopeKind::Peer;
  constexpr ScopeSet kHttp = ScopeKind::HttpListener | ScopeKind::Listen | ScopeKind::Peer;
  return {
      boolean("enable", "true", kListeners | ScopeKind::Listen),
      integer("listen_backlog", "500", 0, kInt32Max, kListeners | ScopeKind::Listen),
      // ESMTP injection. Idle_Time 0 = no idle limit (Momentum's built-in value).
      seconds("idle_time", "0", kSmtpOrHttp),
      size("max_message_size", "0", kEsmtpListener | kEcstream | ScopeKind::Global),
      integer("max_recipients_per_message", "0", 0, kInt32Max, kEsmtpListener | ScopeKind::Global),
      integer("max_receptions_per_connection", "0", 0, kInt32Max, kEsmtpListener),
      // HTTP_Listener: unset anywhere = loopback only (SPEC §16).
      make("relay_hosts", T::CidrList, "",
           ScopeKind::Global | ScopeKind::EsmtpListener | ScopeKind::HttpListener | ScopeKind::EcstreamListener |
               ScopeKind::Listen),
      boolean("open_relay", "false", kEsmtpListener),
      text("banner_hostname", "", kEsmtpListener),
      text("static_banner", "", kEsmtpListener),
      text("received_hostname", "", kEsmtpListener),
      boolean("require_ehlo", "false", kEsmtpListener),
      boolean("allow_null_envelope_sender", "true", kEsmtpListener),
      one_of("mcmt_reception", "passthru", {"allow", "passthru", "reject"}, kEsmtpListener),
      // SMTP AUTH (SPEC §19): lines user:crypt(3)-hash; read at (re)load.
      path("auth_password_file", "", ScopeKind::EsmtpListener | ScopeKind::Listen),
      boolean("auth_allow_plaintext", "false", ScopeKind::EsmtpListener | ScopeKind::Listen),
      text("reconfig_message", "4.3.2 Reconfiguration in progress", kAnyListener),
      make("context", T::Dict, "", kSmtpOrHttp),
      // Console.
      mode("file_mode", "0660", kControl),
      seconds("timeout", "60", kControl),
      boolean("enable_authentication", "false", kControl),
      // Required with enable_authentication on a non-loopback TCP Listen (SPEC §7; config/console_checks.hpp).
      path("console_password_file", "", kControl),
      seconds("control_client_timeout", "60", kGlobal),
      // ECSTREAM injection.
      seconds("ecstream_idle_time", "300", kEcstream),
      integer("ecstream_max_batch_size", "10000", 1, kInt32Max, kEcstream),
      // HTTP injection.
      size("max_request_size", "10M", kHttp),
      make("api_keys", T::StringList, "", ScopeKind::HttpListener | ScopeKind::Listen),
      text("mm7_vasp_path", "", ScopeKind::HttpListener | ScopeKind::Listen),
      text("mm7_vasp_basic_auth", "", ScopeKind::HttpListener | ScopeKind::Listen),  // "user:password"
      // HTTP read deadlines: the request head (including a keep-alive
      // connection's wait for its next request), then its body.
      seconds("http_header_timeout", "30", ScopeKind::HttpListener | ScopeKind::Listen),
      seconds("http_body_timeout", "60", ScopeKind::HttpListener | ScopeKind::Listen),
      // Momentum's cap on a listener's open sessions; HTTP beyond it gets 503.
      integer("service_sessions", "1000", 1, kInt32Max, ScopeKind::HttpListener | ScopeKind::Listen),
      boolean("log_requests_to_paniclog", "false", ScopeKind::HttpListener | ScopeKind::Listen),
  };
}

}  // namespace impulse::config
