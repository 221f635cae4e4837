// dispatch(): one parsed HTTP request to its reply, on the session's loop
// (SPEC §16): the route (404 for an unknown path, 405 with Allow for
// another verb), who may use it (http_access.hpp: 403 outside Relay_Hosts,
// 401 without the API key; an unknown path from outside Relay_Hosts is a
// 403 too, so it learns nothing), then the route's handler. A handler that
// throws (a bug) gets 500 {"error": "internal error"} and one problem line
// "<connection id>: <METHOD> <path>: <what>"; the daemon keeps serving.
//
// Leaves to others: reading and writing the bytes, limits and deadlines
// (http_session.hpp), what each handler does.
// Executor: the session's; the handler runs there.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "config/net.hpp"
#include "inbound/http/http_listener_settings.hpp"
#include "inbound/http/http_route.hpp"
#include "runtime/spawn.hpp"

namespace impulse::inbound::http {

boost::asio::awaitable<Response> dispatch(const Routes& routes, const HttpListenerSettings& settings,
                                          const Request& req, RequestContext ctx, const config::IpAddress& peer,
                                          const runtime::ProblemSink& problems);

}  // namespace impulse::inbound::http
