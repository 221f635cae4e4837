// Implementation of inbound/http/health_routes.hpp.
#include "inbound/http/health_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace impulse::inbound::http {

void add_health_routes(Routes& routes, ReadinessCheck not_ready) {
  routes.add(beast_http::verb::get, "/healthz", Access::kPublic,
             [](const Request& req, const RequestContext&) -> boost::asio::awaitable<Response> {
               co_return json_response(beast_http::status::ok, boost::json::object{{"status", "ok"}}, req);
             });
  routes.add(beast_http::verb::get, "/readyz", Access::kPublic,
             [not_ready = std::move(not_ready)](const Request& req,
                                                const RequestContext&) -> boost::asio::awaitable<Response> {
               if (auto why = not_ready ? not_ready() : std::nullopt)
                 co_return json_error(beast_http::status::service_unavailable, *why, req);
               co_return json_response(beast_http::status::ok, boost::json::object{{"status", "ready"}}, req);
             });
}

}  // namespace impulse::inbound::http
