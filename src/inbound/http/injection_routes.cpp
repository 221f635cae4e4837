// Implementation of inbound/http/injection_routes.hpp.
#include "inbound/http/injection_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <optional>

#include "inbound/http/inject_awaitable.hpp"
#include "protocol/channel_part.hpp"
#include "protocol/rest_inject.hpp"
#include "queue/injection.hpp"
#include "routing/binding_header.hpp"

namespace impulse::inbound::http {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

queue::Injection to_injection(protocol::PreparedMessage m, const RequestContext& ctx) {
  queue::Injection in;
  in.envelope.sender = std::move(m.sender);
  in.envelope.recipients = std::move(m.recipients);
  in.envelope.body_8bitmime = m.eight_bit;
  in.data = std::move(m.data);
  in.origin.protocol = spool::Protocol::kRest;
  in.origin.esmtp = false;
  // peer_ip stays "": Momentum logs HTTP receptions with peer `unknown`.
  in.origin.tls = ctx.tls;
  in.origin.connection_id = ctx.connection_id;
  in.origin.listener_address = ctx.listener_address;
  return in;
}

// HTTP injections behave as MCMT_Reception = allow (SPEC §11): an MCMT
// message must have a readable structure with its message/rfc822 part
// (its email recipients get that part: the SMTP transport knows `rest`
// always allows, so no mark is added). The refusal text otherwise.
std::optional<std::string> mcmt_refusal(const std::string& data) {
  if (!protocol::is_mcmt(data)) return std::nullopt;
  if (auto ok = protocol::check_mcmt_structure(data); !ok) return "MCMT message refused: " + ok.error();
  return std::nullopt;
}

// A full spool disk (ENOSPC) is 452 4.3.1, any other spool failure 451 4.3.0.
std::string spool_failure_text(const Error& e) {
  return (e.code == ENOSPC ? "452 4.3.1" : "451 4.3.0") + std::string(" message not spooled: ") + e.message;
}

json::object inject_failure(std::string_view text, json::array results) {
  return json::object{{"error", text}, {"status", "failure"}, {"results", std::move(results)}};
}

asio::awaitable<Response> momentum_inject(queue::Injector& injector, const Request& req, const RequestContext& ctx) {
  auto parsed = protocol::parse_rest_inject(req.body());
  if (!parsed) co_return json_response(beast_http::status::bad_request, inject_failure(parsed.error(), {}), req);
  auto prepared = protocol::prepare_rest_inject(*parsed);
  if (!prepared) co_return json_response(beast_http::status::bad_request, inject_failure(prepared.error(), {}), req);
  for (std::size_t i = 0; i < prepared->size(); ++i) {
    if (auto why = mcmt_refusal((*prepared)[i].data))
      co_return json_response(beast_http::status::bad_request,
                              inject_failure("recipients[" + std::to_string(i) + "]: " + *why, {}), req);
  }
  std::vector<queue::Injection> batch;
  batch.reserve(prepared->size());
  for (auto& m : *prepared) batch.push_back(to_injection(std::move(m), ctx));
  const auto outcomes = co_await inject_all(injector, std::move(batch));

  json::array results;
  std::string first_error;
  for (const auto& outcome : outcomes) {
    if (outcome) {
      results.push_back(json::object{{"status", "success"}, {"mid", *outcome}, {"reason", "250 " + *outcome}});
    } else {
      if (first_error.empty()) first_error = spool_failure_text(outcome.error());
      results.push_back(json::object{{"status", "failure"}, {"reason", spool_failure_text(outcome.error())}});
    }
  }
  if (!first_error.empty())
    co_return json_response(beast_http::status::service_unavailable, inject_failure(first_error, std::move(results)),
                            req);
  co_return json_response(beast_http::status::ok, json::object{{"results", std::move(results)}, {"status", "success"}},
                          req);
}

asio::awaitable<Response> api_message(queue::Injector& injector, const Request& req, const RequestContext& ctx) {
  auto parsed = protocol::parse_message_request(req.body());
  if (!parsed) co_return json_error(beast_http::status::bad_request, parsed.error(), req);
  if (auto why = mcmt_refusal(parsed->message.data)) co_return json_error(beast_http::status::bad_request, *why, req);
  const std::size_t recipients = parsed->message.recipients.size();
  std::string headers;
  if (parsed->binding_group) headers += std::string(routing::kBindingGroupHeader) + ": " + *parsed->binding_group + "\r\n";
  if (parsed->binding) headers += std::string(routing::kBindingHeader) + ": " + *parsed->binding + "\r\n";
  if (!headers.empty()) parsed->message.data.insert(0, headers);
  std::vector<queue::Injection> one;
  one.push_back(to_injection(std::move(parsed->message), ctx));
  auto outcomes = co_await inject_all(injector, std::move(one));
  const auto& outcome = outcomes.front();
  if (!outcome)
    co_return json_error(beast_http::status::service_unavailable, spool_failure_text(outcome.error()), req);
  co_return json_response(beast_http::status::ok,
                          json::object{{"id", *outcome}, {"recipients", static_cast<std::uint64_t>(recipients)}}, req);
}

}  // namespace

void add_injection_routes(Routes& routes, queue::Injector& injector) {
  routes.add(beast_http::verb::post, "/v1.0/inject/", Access::kApiKey,
             [&injector](const Request& req, const RequestContext& ctx) { return momentum_inject(injector, req, ctx); });
  routes.add(beast_http::verb::post, "/api/v1/messages", Access::kApiKey,
             [&injector](const Request& req, const RequestContext& ctx) { return api_message(injector, req, ctx); });
}

}  // namespace impulse::inbound::http
