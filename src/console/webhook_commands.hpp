// The console's `webhook summary` (SPEC §17): one line per webhook,
//   NAME backlog=N last_success=TIME last_error=TEXT
// TIME is RFC 3339 UTC with microseconds, or "never"; TEXT is the last
// failure since start (an HTTP status, a timeout, a connection error), or
// "none". No webhook configured: "No webhooks configured."
//
// The status comes from the event stream (log::EventStream::webhook_status,
// thread-safe), given as a function so the console needs no daemon object.
// Threading: the handler answers at once on the dispatching thread.
// Failure modes: extra words get the usage line.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "console/commands.hpp"
#include "log/webhook_options.hpp"

namespace impulse::console {

using WebhookStatusSource = std::function<std::vector<log::WebhookStatus>()>;

void add_webhook_commands(CommandRegistry& registry, WebhookStatusSource status);

std::string format_webhook_summary(const std::vector<log::WebhookStatus>& hooks);

}  // namespace impulse::console
