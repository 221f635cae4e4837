// Implementation of inbound/http/mm7_routes.hpp.
#include "inbound/http/mm7_routes.hpp"

#include <cctype>
#include <optional>
#include <set>
#include <variant>

#include "protocol/base64.hpp"
#include "protocol/mm7_delivery_report.hpp"

namespace impulse::inbound::http {

namespace {

Response xml_response(beast_http::status status, std::string body, const Request& req) {
  Response res{status, req.version()};
  res.set(beast_http::field::content_type, "text/xml; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

bool authorized(const Request& req, const std::string& expected) {
  if (expected.empty()) return true;
  std::string_view value = req[beast_http::field::authorization];
  constexpr std::string_view kBasic = "basic ";
  if (value.size() <= kBasic.size()) return false;
  for (std::size_t i = 0; i < kBasic.size(); ++i)
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(value[i]))) != kBasic[i]) return false;
  value.remove_prefix(kBasic.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  auto decoded = protocol::decode_base64(value);
  return decoded && *decoded == expected;
}

}  // namespace

std::vector<Mm7VaspEndpoint> mm7_vasp_endpoints(const std::vector<HttpListenerSettings>& listens) {
  std::vector<Mm7VaspEndpoint> out;
  for (const auto& l : listens)
    if (!l.mm7_vasp_path.empty())
      out.push_back({l.display_address(), l.mm7_vasp_path, l.mm7_vasp_basic_auth});
  return out;
}

impulse::expected<void, std::string> add_mm7_routes(Routes& routes, Mm7RouteDeps deps) {
  auto shared = std::make_shared<const Mm7RouteDeps>(std::move(deps));
  std::set<std::string> paths;
  for (const auto& e : shared->endpoints) paths.insert(e.path);
  for (const auto& path : paths) {
    if (path.empty() || path.front() != '/' || path.find_first_of("{}?# \t") != std::string::npos)
      return impulse::unexpected("MM7_VASP_Path \"" + path + "\" is not an absolute path without '{', '}', '?', '#' or spaces");
    if (!std::holds_alternative<RouteMiss>(routes.lookup(beast_http::verb::post, path)))
      return impulse::unexpected("MM7_VASP_Path \"" + path + "\" is already served by another route");
  }
  for (const auto& path : paths) {
    routes.add(
        beast_http::verb::post, path, Access::kRelayHostsOnly,
        [shared, path](const Request& req, const RequestContext& ctx) -> boost::asio::awaitable<Response> {
          const Mm7VaspEndpoint* endpoint = nullptr;
          for (const auto& e : shared->endpoints)
            if (e.path == path && e.listener_address == ctx.listener_address) endpoint = &e;
          if (!endpoint) co_return json_error(beast_http::status::not_found, "not found", req);
          if (!authorized(req, endpoint->basic_auth)) {
            Response res = xml_response(beast_http::status::unauthorized,
                                        protocol::mm7_client_fault("authentication required"), req);
            res.set(beast_http::field::www_authenticate, "Basic realm=\"MM7\"");
            co_return res;
          }
          auto report = protocol::parse_mm7_delivery_report(req.body(), req[beast_http::field::content_type]);
          if (!report) co_return xml_response(beast_http::status::bad_request, protocol::mm7_client_fault(report.error()), req);
          const WallTime now = shared->now ? shared->now() : std::chrono::system_clock::now();
          std::optional<delivery::mm7::Mm7Submission> submission;
          if (shared->message_ids) submission = shared->message_ids->find(report->message_id, now);
          if (shared->events) {
            log::emit_mm7_delivery_report(*shared->events, now, submission ? submission->message_id : "",
                                          report->message_id, submission ? submission->recipient : report->recipient,
                                          report->mm_status);
          }
          co_return xml_response(beast_http::status::ok, protocol::mm7_delivery_report_response(*report), req);
        });
  }
  return {};
}

}  // namespace impulse::inbound::http
