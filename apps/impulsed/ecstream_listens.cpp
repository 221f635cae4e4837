// Implementation of ecstream_listens.hpp.
#include "ecstream_listens.hpp"

#include "config/net.hpp"

namespace impulse::daemon {

impulse::expected<std::vector<inbound::EcstreamListenerSettings>, std::string> ecstream_listens_from(
    const config::Config& cfg, const std::string& hostname) {
  std::vector<inbound::EcstreamListenerSettings> out;
  constexpr std::string_view kL = "ecstream_listener";
  for (const auto& l : cfg.listens(kL)) {
    auto ep = config::parse_listen_address(l.address);
    if (!ep || ep->unix_socket || !ep->port)
      return impulse::unexpected<std::string>("ECStream_Listener: cannot listen on '" + l.address +
                                              "': expected an IP address and port");
    auto opt = [&](std::string_view name) { return cfg.resolve_listener(kL, l.address, name).value; };
    if (!opt("enable")->as_bool()) continue;
    inbound::EcstreamListenerSettings s;
    s.listen.address = ep->host;
    s.listen.port = *ep->port;
    s.listen.hostname = hostname;
    s.listen.max_message_size = static_cast<std::uint64_t>(opt("max_message_size")->as_int());
    s.listen.idle_time = std::chrono::seconds(opt("ecstream_idle_time")->as_int());
    for (const auto& c : opt("relay_hosts")->as_list())
      if (auto cidr = config::parse_cidr(c)) s.listen.relay_hosts.push_back(*cidr);
    s.listen.tls_certificate = opt("tls_certificate")->as_string();
    s.listen.tls_key = opt("tls_key")->as_string();
    if (s.listen.tls_key.empty()) s.listen.tls_key = s.listen.tls_certificate;  // a PEM file may hold both
    s.tls_client_ca = opt("tls_client_ca")->as_string();
    s.max_batch_size = static_cast<std::uint32_t>(opt("ecstream_max_batch_size")->as_int());
    s.reconfig_message = opt("reconfig_message")->as_string();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace impulse::daemon
