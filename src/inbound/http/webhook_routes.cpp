// Implementation of inbound/http/webhook_routes.hpp.
#include "inbound/http/webhook_routes.hpp"

#include <boost/json.hpp>

#include "log/event_record.hpp"

namespace impulse::inbound::http {

boost::json::value webhooks_json(const std::vector<log::WebhookStatus>& hooks) {
  boost::json::array list;
  for (const auto& h : hooks) {
    boost::json::object o;
    o["name"] = h.name;
    o["backlog"] = h.backlog;
    if (h.last_success) o["last_success"] = log::format_rfc3339_micros(*h.last_success);
    else o["last_success"] = nullptr;
    if (h.last_error.empty()) o["last_error"] = nullptr;
    else o["last_error"] = h.last_error;
    o["sent"] = h.sent;
    o["dropped"] = h.dropped;
    list.push_back(std::move(o));
  }
  return boost::json::object{{"webhooks", std::move(list)}};
}

void add_webhook_routes(Routes& routes, std::function<std::vector<log::WebhookStatus>()> status) {
  routes.add(beast_http::verb::get, "/api/v1/webhooks", Access::kApiKey,
             [status = std::move(status)](const Request& req, const RequestContext&) -> boost::asio::awaitable<Response> {
               co_return json_response(beast_http::status::ok,
                                       webhooks_json(status ? status() : std::vector<log::WebhookStatus>{}), req);
             });
}

}  // namespace impulse::inbound::http
