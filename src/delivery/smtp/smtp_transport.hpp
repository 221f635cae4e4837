// The SMTP client as a delivery transport (delivery/transport.hpp): ESMTP,
// SMTP and LMTP (SPEC §4; reference/momentum.md §3-§6). settings() reads
// SmtpSettings for a (binding, domain) (smtp_settings_config.hpp, or a
// source given by tests) and attaches a TLS client context shared by every
// queue of the loop with the same TLS options under the same snapshot
// (loading CA bundles is expensive). open() connects one SmtpConnection
// (smtp_connection.hpp) to the chosen address or Unix socket; a session
// carries one message at a time (capacity 1) and tells the peer the
// original client with XCLIENT from the facts the queue kept.
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

#include "base/error.hpp"
#include "config/config.hpp"
#include "delivery/smtp/smtp_settings.hpp"
#include "delivery/transport.hpp"

namespace impulse::delivery::smtp {

// SMTP client settings for a (binding, domain) under a snapshot.
// Empty = smtp_settings_from_config (tests shorten deadlines with their own).
using SmtpSettingsSource =
    std::function<Result<SmtpSettings>(const config::Config&, const config::OutboundKey&)>;

// What SmtpTransport::settings() returns: the common part plus SmtpSettings.
class SmtpMethodSettings final : public MethodSettings {
 public:
  std::shared_ptr<const SmtpSettings> smtp;
};

// The factory to register for ESMTP, SMTP and LMTP.
TransportFactory smtp_transport_factory(SmtpSettingsSource source = {});

}  // namespace impulse::delivery::smtp
