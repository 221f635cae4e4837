// Translations from the configuration snapshot to the plain settings
// structs of the libraries (log set, ESMTP listener, spool). The only
// place that knows which option feeds which field for these components.
// Pure functions of a Config; errors are one line for the startup report.
#pragma once

#include <string>
#include <vector>

#include "base/expected.hpp"
#include "base/hostname.hpp"  // local_hostname(): banners, Received: headers, bounces
#include "config/config.hpp"
#include "inbound/http/http_listener_settings.hpp"
#include "inbound/listener_settings.hpp"
#include "log/log_set.hpp"
#include "spool/rocksdb_store.hpp"

namespace impulse::daemon {

// Logs are written only where the configuration names a file: an
// `ec_logger` stanza with mainlog/paniclog, a `bounce_logger` stanza (or
// ec_logger) with bouncelog.
log::LogSetOptions log_options_from(const config::Config& cfg);

impulse::expected<std::vector<inbound::ListenerSettings>, std::string> esmtp_listens_from(
    const config::Config& cfg, const std::string& hostname);

spool::RocksDbStoreOptions spool_options_from(const config::Config& cfg);

// HTTP_Listener: one per Listen address; Relay_Hosts set nowhere = loopback.
impulse::expected<std::vector<inbound::http::HttpListenerSettings>, std::string> http_listens_from(
    const config::Config& cfg);

}  // namespace impulse::daemon
