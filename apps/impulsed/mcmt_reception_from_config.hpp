// MCMT_Reception (SPEC §11; ESMTP_Listener, Listen and Peer scopes) into
// the ESMTP listener's settings: each Listen's settings get a resolver that
// answers for a client address from the configuration snapshot the
// listener was opened with (Peer scope matching the client first, then
// Listen, listener, global, default passthru). Wiring only; the snapshot is
// immutable, so the resolver may run on any event loop.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "inbound/listener_settings.hpp"

namespace impulse::daemon {

// `listens` as esmtp_listens_from made them: one per cfg->listens("esmtp_listener"), in order.
void set_mcmt_reception(std::vector<inbound::ListenerSettings>& listens, const config::ConfigPtr& cfg);

}  // namespace impulse::daemon
