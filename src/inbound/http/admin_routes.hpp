// The HTTP API's administration routes (SPEC §16 "Administration"): the
// console's queries and actions over admin::Admin, answered as JSON
// (inbound/http/admin_json.hpp). Every route is Access::kApiKey.
//
//   GET  /api/v1/summary                 200 summary
//   GET  /api/v1/domains/{name}          200 domain report; 404 when nothing is known of it
//   GET  /api/v1/queues                  200 [queue, ...] (largest first)
//   GET  /api/v1/messages/{id}           200 message; 404 unknown (or not an id)
//   POST /api/v1/domains/{name}/flush    200 {"domain", "flushed": n}; "all" = every domain;
//                                        body (optional) {"binding": "b"}; 404 no queue
//   POST /api/v1/domains/{name}/fail     200 {"domain", "failed": n}; body (optional)
//                                        {"binding": "b", "quiet": true}; 404 no queue
//   POST /api/v1/domains/{name}/refresh  200 {"domain", "refreshed": builds started}; "all" = every domain
//   POST /api/v1/messages/{id}/retry     200 {"id", "status": "requeued"}; 404; 409 being delivered
//   POST /api/v1/messages/{id}/fail      200 {"id", "status": "failed"}; body {"quiet": true}; 404; 409
//   POST /api/v1/config/reload           200 {"status": "reloaded"}; 409 {"error", "errors": [...]}
//
// A malformed body (not JSON, not an object, a field of the wrong type) is
// 400. Reload always reads the file the daemon started with (no path over
// HTTP).
//
// Threading: handlers run on the listener's loop; each Admin call is made
// on `admin_executor` (loop 0, where the console calls it too, so a reload
// from HTTP never races one from SIGHUP or the console), and its answer is
// carried back to the handler's loop. Admin's callbacks are exactly once,
// so there is no deadline here (the listener bounds the request itself).
// Lifetime: the routes share ownership of the Admin.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "inbound/http/http_route.hpp"

namespace impulse::admin {
class Admin;
}

namespace impulse::inbound::http {

void add_admin_routes(Routes& routes, std::shared_ptr<admin::Admin> admin, boost::asio::any_io_executor admin_executor);

}  // namespace impulse::inbound::http
