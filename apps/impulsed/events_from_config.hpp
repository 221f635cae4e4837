// The event stream's settings from the configuration (SPEC §17): the
// `json_logger` stanza's logfile and every `webhook "name" { }` stanza.
// A webhook's events are queued under its spool_directory, by default
// <Spoolbase>/webhooks/<name>. Pure function of a Config; an error is one
// line for the startup report (a webhook without url, an unknown event
// type).
#pragma once

#include <string>

#include "base/expected.hpp"
#include "config/config.hpp"
#include "log/event_stream.hpp"

namespace impulse::daemon {

impulse::expected<log::EventStreamOptions, std::string> events_options_from(const config::Config& cfg);

}  // namespace impulse::daemon
