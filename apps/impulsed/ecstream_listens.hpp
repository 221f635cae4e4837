// ecstream_listens_from: the ECStream_Listener's Listen addresses read from
// the configuration into inbound::EcstreamListenerSettings (SPEC §15). The
// only place the daemon reads the ECStream listener's options
// (listener -> Listen -> global, Config::resolve_listener).
// Main thread, at start. Fails with one line for a Listen that is not an
// IP address and port.
#pragma once

#include <string>
#include <vector>

#include "base/expected.hpp"
#include "config/config.hpp"
#include "inbound/ecstream_settings.hpp"

namespace impulse::daemon {

impulse::expected<std::vector<inbound::EcstreamListenerSettings>, std::string> ecstream_listens_from(
    const config::Config& cfg, const std::string& hostname);

}  // namespace impulse::daemon
