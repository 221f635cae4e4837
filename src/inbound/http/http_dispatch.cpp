// Implementation of inbound/http/http_dispatch.hpp.
#include "inbound/http/http_dispatch.hpp"

#include <exception>

#include "inbound/http/http_access.hpp"

namespace impulse::inbound::http {

boost::asio::awaitable<Response> dispatch(const Routes& routes, const HttpListenerSettings& settings,
                                          const Request& req, RequestContext ctx, const config::IpAddress& peer,
                                          const runtime::ProblemSink& problems) {
  const std::string_view target(req.target().data(), req.target().size());
  auto found = routes.lookup(req.method(), target);
  if (auto* miss = std::get_if<RouteMiss>(&found)) {
    if (!peer_allowed(settings, peer))
      co_return json_error(beast_http::status::forbidden, "client " + peer.str() + " is not in Relay_Hosts", req);
    if (miss->status == beast_http::status::method_not_allowed) {
      auto res = json_error(miss->status, "method " + std::string(req.method_string()) + " not allowed here", req);
      res.set(beast_http::field::allow, miss->allow);
      co_return res;
    }
    co_return json_error(beast_http::status::not_found, "no such resource: " + std::string(target_path(target)), req);
  }
  auto& match = std::get<RouteMatch>(found);
  if (auto denied = check_access(match.route->access, settings, peer, req)) co_return std::move(*denied);
  ctx.params = std::move(match.params);
  std::exception_ptr failure;
  try {
    co_return co_await match.route->handler(req, ctx);
  } catch (...) {
    failure = std::current_exception();
  }
  runtime::report(problems, runtime::describe_failure(ctx.connection_id + ": " + std::string(req.method_string()) +
                                                          " " + std::string(target_path(target)),
                                                      failure));
  co_return json_error(beast_http::status::internal_server_error, "internal error", req);
}

}  // namespace impulse::inbound::http
