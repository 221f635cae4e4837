// smtp_settings_from_config: SmtpSettings for one (binding, domain) from the
// configuration snapshot, each option resolved with Momentum's fallback
// order (config::Config::resolve; SPEC §2, §4; reference/momentum.md §3,
// §4, §5, §6): delivery_method, ehlo_hostname, bind_address, tls*,
// xclient, send_8bitmime, max_recipients_per_batch,
// max_deliveries_per_connection and the per-phase timeouts.
//
//   delivery_method parsed by routing::parse_delivery_method (the one
//                  parser); ESMTP, SMTP and LMTP map to SessionProtocol
//   ehlo_hostname  __hostname__ -> local_hostname() (base/hostname.hpp);
//                  __message__ -> the
//                  sender's domain (ehlo_from_sender), else the name given
//   bind_address   "*" -> "" (kernel chooses); an IP literal, with or
//                  without brackets. A host name is refused: Impulse
//                  resolves nothing here.
//   tls_certificate "none" -> no client certificate
//
// Leaves to others: the port (the routing chooser's target), building the
// TLS context (make_tls_client_context, once per snapshot if wanted).
// Pure over the snapshot (plus gethostname); any thread. Fails (as a
// value) for a delivery method that is not ESMTP, SMTP or LMTP and for a
// bind_address that is not an IP address.
#pragma once

#include <string>

#include "base/error.hpp"
#include "base/hostname.hpp"
#include "config/config.hpp"
#include "delivery/smtp/smtp_settings.hpp"

namespace impulse::delivery::smtp {

Result<SmtpSettings> smtp_settings_from_config(const config::Config& config, const config::OutboundKey& key);

}  // namespace impulse::delivery::smtp
