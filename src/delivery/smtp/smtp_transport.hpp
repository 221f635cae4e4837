// The SMTP client as a delivery transport (delivery/transport.hpp): ESMTP,
// SMTP and LMTP (SPEC §4; reference/momentum.md §3-§6). settings() reads
// SmtpSettings for a (binding, domain) (smtp_settings_config.hpp, or a
// source given by tests) and attaches a TLS client context shared by every
// queue of the loop with the same TLS options under the same snapshot
// (loading CA bundles is expensive). open() connects one SmtpConnection
// (smtp_connection.hpp) to the chosen address or Unix socket; a session
// carries one message at a time (capacity 1) and tells the peer the
// original client with XCLIENT from the facts the queue kept. With DANE on
// for the queue (use_dane, enable_dane), open() first looks up the host's
// TLSA records on the loop's resolver (dane_lookup.hpp, under
// connect_timeout, verdicts cached for their TTL) and connects with what
// host_tls.hpp makes of them; a failed or bogus lookup fails the open
// (transient, host-level) without connecting.
// With MTA-STS on (use_mta_sts, enable_mta_sts), open() first takes the
// domain's policy from the daemon-wide cache (mta_sts_gate.hpp; the first
// delivery waits for its fetch) and hands its requirement to host_tls.hpp
// too: enforce refuses an MX outside the policy without connecting.
//
// Leaves to others: target choice, limits, quarantine, idling policy and
// retries (the connection manager and the queue); the SMTP dialogue and its
// outcome mapping (smtp_connection.hpp, session_outcome.hpp).
// Executor: one SmtpTransport per event loop; everything on that loop.
// Failure modes: settings() fails for a Delivery_Method the SMTP client
// does not speak or an invalid bind_address; open() returns the session's
// OpenFailure outcome.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/smtp/smtp_settings.hpp"
#include "delivery/transport.hpp"

namespace impulse::delivery::smtp {

struct MtaStsSettings;  // mta_sts_gate.hpp

// SMTP client settings for a (binding, domain) under a snapshot.
// Empty = smtp_settings_from_config (tests shorten deadlines with their own).
using SmtpSettingsSource =
    std::function<Result<SmtpSettings>(const config::Config&, const config::OutboundKey&)>;

// What SmtpTransport::settings() returns: the common part plus SmtpSettings.
class SmtpMethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const SmtpSettings> smtp;
  bool dane = false;  // use_dane and enable_dane: TLSA lookup before each connection (dane_lookup.hpp)
  // use_mta_sts and enable_mta_sts: the policy query (mta_sts_gate.hpp); null = off.
  std::shared_ptr<const MtaStsSettings> mta_sts;
};

// The factory to register for ESMTP, SMTP and LMTP.
// `problems`: paniclog lines (MTA-STS fetch failures, the testing mode's
// refusals that were not made); empty = stderr.
TransportFactory smtp_transport_factory(SmtpSettingsSource source = {},
                                        std::function<void(std::string_view)> problems = {});

}  // namespace impulse::delivery::smtp
