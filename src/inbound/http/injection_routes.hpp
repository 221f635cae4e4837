// The HTTP injection endpoints (SPEC §16; reference/momentum.md §11.2),
// both Access::kApiKey, over the one queue::Injector (docs/architecture.md
// "Life of a message"), protocol `rest` in the mainlog R records and the
// peer written `unknown` there, as Momentum logs HTTP receptions:
//
//   POST /v1.0/inject/   Momentum's REST injector: one message per
//     recipient (template substituted), all or none: any bad input is a
//     400 and nothing is injected. 200
//     {"results": [{"status": "success", "mid": "<id>", "reason": "250 <id>"}, ...],
//      "status": "success"}
//     Error shape (400; 503 when the spool refused a message):
//     {"error": "<text>", "status": "failure", "results": [...]}, results
//     holding, on a 503, one entry per recipient ("success" with its mid
//     for those already durable, else "failure" with a 451 reason).
//   POST /api/v1/messages  Impulse's API: 200 {"id": "<id>", "recipients": n};
//     400 {"error": ...} for bad JSON, types, addresses, empty recipients
//     or base64; 503 {"error": ...} when the spool refused it. `binding` /
//     `binding_group` become X-Impulse-Binding(-Group) headers in front of
//     the content, so the injector's binding policy applies them (an
//     unknown name: binding default and one paniclog line).
//
// Both behave as MCMT_Reception = allow (SPEC §11): an MCMT message with a
// broken structure (protocol/channel_part.hpp check_mcmt_structure) is a
// 400 "MCMT message refused: ...".
// Every 200 is sent only after the injector says the message is durable.
// Leaves to others: parsing and substitution (protocol/rest_inject.hpp),
// access (http_access.hpp), the listener.
// Threads: handlers run on the session's loop; the injector must outlive
// the routes.
#pragma once

#include "inbound/http/http_route.hpp"

namespace impulse::queue {
class Injector;
}

namespace impulse::inbound::http {

void add_injection_routes(Routes& routes, queue::Injector& injector);

}  // namespace impulse::inbound::http
