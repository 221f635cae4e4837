// ecstream_settings_from_config: EcstreamSettings for one (binding, domain)
// from a configuration snapshot (ECStream_Timeout, Idle_Timeout,
// Max_Deliveries_Per_Connection, Bind_Address, EHLO_Hostname and the tls
// options, resolved along binding -> binding_group -> domain -> global).
// Pure; any thread. Fails (as a value) when Delivery_Method is not
// ECSTREAM or Bind_Address is not an IP address.
#pragma once

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/ecstream/ecstream_settings.hpp"

namespace impulse::delivery::ecstream {

Result<EcstreamSettings> ecstream_settings_from_config(const config::Config& config, const config::OutboundKey& key);

// The SMTP client's TLS options filled from `s`, for smtp::make_tls_client_context.
smtp::SmtpSettings tls_options(const EcstreamSettings& s);

}  // namespace impulse::delivery::ecstream
