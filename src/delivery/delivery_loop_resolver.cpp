// Implementation of delivery/delivery_loop_resolver.hpp.
#include "delivery/delivery_loop_resolver.hpp"

#include "dns/unbound_resolver.hpp"

namespace impulse::delivery {

dns::ResolverOptions resolver_options_from_config(const config::Config& config) {
  dns::ResolverOptions options;
  options.nameservers = config.global("nameservers").as_list();
  options.resolv_conf = config.global("resolv_conf").as_string();
  options.query_timeout = std::chrono::seconds(config.global("dns_query_timeout").as_int());
  // DNSSEC validation (DANE, RFC 7672) when DANE is on globally or a trust
  // anchor file is configured: validating without need would turn every
  // broken signature into a SERVFAIL for plain MX lookups too.
  auto anchor = config.eval({}, "dnssec_trust_anchor_file");
  if (config.global("use_dane").as_bool() || (anchor && !anchor->is_default())) {
    options.trust_anchor_file = config.global("dnssec_trust_anchor_file").as_string();
  }
  return options;
}

ResolverFactory unbound_resolver_factory(const config::Config& config) {
  return [options = resolver_options_from_config(config)](
             boost::asio::io_context& io) -> Result<std::unique_ptr<dns::Resolver>> {
    auto made = dns::UnboundResolver::create(io, options);
    if (!made) return unexpected(made.error());
    return std::unique_ptr<dns::Resolver>(std::move(*made));
  };
}

}  // namespace impulse::delivery
