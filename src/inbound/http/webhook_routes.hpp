// The HTTP API's view of the webhooks (SPEC §17), the same as the console's
// `webhook summary`:
//   GET /api/v1/webhooks   200 {"webhooks": [{"name", "backlog",
//                          "last_success" (RFC 3339 or null),
//                          "last_error" (text or null), "sent", "dropped"}]}
// Access::kApiKey.
// Threading: the handler runs on the listener's loop and reads the status
// function (thread-safe: log::EventStream::webhook_status) directly.
// Failure modes: none beyond the listener's own.
#pragma once

#include <functional>
#include <vector>

#include "inbound/http/http_route.hpp"
#include "log/webhook_options.hpp"

namespace impulse::inbound::http {

void add_webhook_routes(Routes& routes, std::function<std::vector<log::WebhookStatus>()> status);

// The JSON body of GET /api/v1/webhooks.
boost::json::value webhooks_json(const std::vector<log::WebhookStatus>& hooks);

}  // namespace impulse::inbound::http
