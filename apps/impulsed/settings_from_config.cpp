// Implementation of settings_from_config.hpp.
#include "settings_from_config.hpp"

#include "config/net.hpp"

namespace impulse::daemon {

namespace {

std::string module_path(const config::Config& cfg, std::string_view module, std::string_view option) {
  const config::OptionValue* v = cfg.module_option(module, option);
  return v ? v->as_string() : std::string();
}

unsigned module_mode(const config::Config& cfg, std::string_view module, std::string_view option, unsigned dflt) {
  const config::OptionValue* v = cfg.module_option(module, option);
  return v ? static_cast<unsigned>(v->as_int()) : dflt;
}

}  // namespace

log::LogSetOptions log_options_from(const config::Config& cfg) {
  log::LogSetOptions o;
  o.mainlog.path = module_path(cfg, "ec_logger", "mainlog");
  o.mainlog.mode = module_mode(cfg, "ec_logger", "mainlog_mode", 0644);
  o.paniclog.path = module_path(cfg, "ec_logger", "paniclog");
  o.paniclog.mode = module_mode(cfg, "ec_logger", "paniclog_mode", 0644);
  o.paniclog.write_through = true;
  o.bouncelog.path = module_path(cfg, "bounce_logger", "bouncelog");
  if (o.bouncelog.path.empty()) o.bouncelog.path = module_path(cfg, "ec_logger", "bouncelog");
  o.bouncelog.mode = module_mode(cfg, "bounce_logger", "bouncelog_mode", 0644);
  if (const auto* hb = cfg.module_option("ec_logger", "heartbeat")) o.mainlog_heartbeat = std::chrono::seconds(hb->as_int());
  if (const auto* hb = cfg.module_option("bounce_logger", "heartbeat"))
    o.bouncelog_heartbeat = std::chrono::seconds(hb->as_int());
  return o;
}

impulse::expected<std::vector<inbound::ListenerSettings>, std::string> esmtp_listens_from(
    const config::Config& cfg, const std::string& hostname) {
  std::vector<inbound::ListenerSettings> out;
  constexpr std::string_view kL = "esmtp_listener";
  for (const auto& l : cfg.listens(kL)) {
    auto ep = config::parse_listen_address(l.address);
    if (!ep || ep->unix_socket || !ep->port)
      return impulse::unexpected<std::string>("ESMTP_Listener: cannot listen on '" + l.address +
                                              "': expected an IP address and port");
    inbound::ListenerSettings s;
    s.address = ep->host;
    s.port = *ep->port;
    auto opt = [&](std::string_view name) { return cfg.resolve_listener(kL, l.address, name).value; };
    const std::string& banner = opt("banner_hostname")->as_string();
    s.hostname = banner.empty() ? hostname : banner;
    s.max_message_size = static_cast<std::uint64_t>(opt("max_message_size")->as_int());
    s.max_recipients_per_message = static_cast<std::size_t>(opt("max_recipients_per_message")->as_int());
    s.idle_time = std::chrono::seconds(opt("idle_time")->as_int());
    for (const auto& c : opt("relay_hosts")->as_list()) {
      auto cidr = config::parse_cidr(c);
      if (cidr) s.relay_hosts.push_back(*cidr);
    }
    s.tls_certificate = opt("tls_certificate")->as_string();
    s.tls_key = opt("tls_key")->as_string();
    if (s.tls_key.empty()) s.tls_key = s.tls_certificate;  // a PEM file may hold both
    out.push_back(std::move(s));
  }
  return out;
}

impulse::expected<std::vector<inbound::http::HttpListenerSettings>, std::string> http_listens_from(
    const config::Config& cfg) {
  std::vector<inbound::http::HttpListenerSettings> out;
  constexpr std::string_view kL = "http_listener";
  for (const auto& l : cfg.listens(kL)) {
    auto ep = config::parse_listen_address(l.address);
    if (!ep || ep->unix_socket || !ep->port)
      return impulse::unexpected<std::string>("HTTP_Listener: cannot listen on '" + l.address +
                                              "': expected an IP address and port");
    inbound::http::HttpListenerSettings s;
    s.address = ep->host;
    s.port = *ep->port;
    auto resolved = [&](std::string_view name) { return cfg.resolve_listener(kL, l.address, name); };
    auto opt = [&](std::string_view name) { return resolved(name).value; };
    if (auto relay = resolved("relay_hosts"); relay.is_default()) {
      s.relay_hosts = inbound::http::default_http_relay_hosts();
    } else {
      for (const auto& c : relay.value->as_list())
        if (auto cidr = config::parse_cidr(c)) s.relay_hosts.push_back(*cidr);
    }
    s.api_keys = opt("api_keys")->as_list();
    const auto max_request = opt("max_request_size")->as_int();
    s.max_request_size = max_request > 0 ? static_cast<std::uint64_t>(max_request) : inbound::http::kDefaultMaxRequestSize;
    if (auto t = opt("http_header_timeout")->as_int(); t > 0) s.header_timeout = std::chrono::seconds(t);
    if (auto t = opt("http_body_timeout")->as_int(); t > 0) s.body_timeout = std::chrono::seconds(t);
    s.max_connections = static_cast<std::size_t>(opt("service_sessions")->as_int());
    s.tls_certificate = opt("tls_certificate")->as_string();
    s.tls_key = opt("tls_key")->as_string();
    if (s.tls_key.empty()) s.tls_key = s.tls_certificate;  // a PEM file may hold both
    s.mm7_vasp_path = opt("mm7_vasp_path")->as_string();
    s.mm7_vasp_basic_auth = opt("mm7_vasp_basic_auth")->as_string();
    s.log_requests = opt("log_requests_to_paniclog")->as_bool();
    out.push_back(std::move(s));
  }
  return out;
}

spool::RocksDbStoreOptions spool_options_from(const config::Config& cfg) {
  spool::RocksDbStoreOptions o;
  o.path = cfg.global("spoolbase").as_string();
  return o;
}

}  // namespace impulse::daemon
