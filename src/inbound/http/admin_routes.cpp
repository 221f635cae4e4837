// Implementation of admin_routes.hpp.
#include "inbound/http/admin_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "admin/admin.hpp"
#include "inbound/http/admin_call.hpp"
#include "inbound/http/admin_json.hpp"

namespace impulse::inbound::http {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using AdminPtr = std::shared_ptr<admin::Admin>;
using Status = beast_http::status;

// The optional JSON object body of an action: {"binding": "b", "quiet": true}.
struct ActionBody {
  std::optional<std::string> binding;
  bool quiet = false;
};

impulse::expected<ActionBody, std::string> parse_action_body(const Request& req) {
  ActionBody out;
  if (req.body().empty()) return out;
  boost::system::error_code ec;
  json::value v = json::parse(req.body(), ec);
  if (ec) return impulse::unexpected<std::string>("malformed JSON: " + ec.message());
  if (!v.is_object()) return impulse::unexpected<std::string>("the body must be a JSON object");
  const json::object& o = v.as_object();
  if (const json::value* b = o.if_contains("binding")) {
    if (!b->is_string()) return impulse::unexpected<std::string>("\"binding\" must be a string");
    out.binding = std::string(b->as_string());
  }
  if (const json::value* q = o.if_contains("quiet")) {
    if (!q->is_bool()) return impulse::unexpected<std::string>("\"quiet\" must be true or false");
    out.quiet = q->as_bool();
  }
  return out;
}

bool is_all(const std::string& name) { return name == "all"; }

// Whether any queue of `domain` (one binding's, when given) exists.
asio::awaitable<bool> has_queue(AdminPtr admin, asio::any_io_executor ex, std::string domain,
                                std::optional<std::string> binding) {
  admin::QueueQuery q;
  q.domains.push_back(std::move(domain));
  if (binding) q.bindings.push_back(*binding);
  auto op = admin_call<std::vector<admin::QueueLine>>(
      ex, [admin, q](std::function<void(std::vector<admin::QueueLine>)> done) { admin->queues(q, std::move(done)); });
  const auto lines = co_await std::move(op);
  co_return !lines.empty();
}

// ---- queries ----

asio::awaitable<Response> get_summary(AdminPtr admin, asio::any_io_executor ex, const Request& req) {
  auto op = admin_call<admin::Summary>(ex, [admin](std::function<void(admin::Summary)> done) { done(admin->summary()); });
  const auto s = co_await std::move(op);
  co_return json_response(Status::ok, summary_json(s), req);
}

asio::awaitable<Response> get_domain(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                     const RequestContext& ctx) {
  const std::string name = ctx.params.at(0);
  auto op = admin_call<delivery::DomainDescription>(
      ex, [admin, name](std::function<void(delivery::DomainDescription)> done) { admin->domain(name, std::move(done)); });
  const auto d = co_await std::move(op);
  if (d.records.empty() && d.queues.empty())
    co_return json_error(Status::not_found, fmt::format("domain {} not found", name), req);
  co_return json_response(Status::ok, domain_json(d), req);
}

asio::awaitable<Response> get_queues(AdminPtr admin, asio::any_io_executor ex, const Request& req) {
  auto op = admin_call<std::vector<admin::QueueLine>>(
      ex, [admin](std::function<void(std::vector<admin::QueueLine>)> done) { admin->queues({}, std::move(done)); });
  const auto lines = co_await std::move(op);
  co_return json_response(Status::ok, queues_json(lines), req);
}

asio::awaitable<Response> get_message(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                      const RequestContext& ctx) {
  const std::string text = ctx.params.at(0);
  auto id = spool::MessageId::parse(text);
  if (!id) co_return json_error(Status::not_found, fmt::format("'{}' is not a message id", text), req);
  const spool::MessageId mid = *id;
  auto op = admin_call<std::vector<admin::MessageInfo>>(
      ex, [admin, mid](std::function<void(std::vector<admin::MessageInfo>)> done) {
        admin->message_details(mid, std::move(done));
      });
  const auto parts = co_await std::move(op);
  if (parts.empty()) co_return json_error(Status::not_found, fmt::format("message {} not found", text), req);
  co_return json_response(Status::ok, message_json(text, parts), req);
}

// ---- domain actions ----

asio::awaitable<Response> flush_domain(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                       const RequestContext& ctx) {
  const std::string name = ctx.params.at(0);
  auto body = parse_action_body(req);
  if (!body) co_return json_error(Status::bad_request, body.error(), req);
  admin::QueueSelector sel;
  sel.binding = body->binding;
  if (!is_all(name)) {
    auto known_op = has_queue(admin, ex, name, body->binding);
    const bool known = co_await std::move(known_op);
    if (!known)
      co_return json_error(Status::not_found, fmt::format("no queue for domain {}", name), req);
    sel.domain = name;
  }
  auto op = admin_call<std::size_t>(ex, [admin, sel](std::function<void(std::size_t)> done) { admin->flush(sel, std::move(done)); });
  const std::size_t n = co_await std::move(op);
  co_return json_response(Status::ok, json::object{{"domain", name}, {"flushed", n}}, req);
}

asio::awaitable<Response> fail_domain(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                      const RequestContext& ctx) {
  const std::string name = ctx.params.at(0);
  auto body = parse_action_body(req);
  if (!body) co_return json_error(Status::bad_request, body.error(), req);
  if (is_all(name)) co_return json_error(Status::bad_request, "fail needs one domain, not \"all\"", req);
  auto known_op = has_queue(admin, ex, name, body->binding);
  const bool known = co_await std::move(known_op);
  if (!known)
    co_return json_error(Status::not_found, fmt::format("no queue for domain {}", name), req);
  const ActionBody b = *body;
  auto op = admin_call<std::size_t>(ex, [admin, b, name](std::function<void(std::size_t)> done) {
    admin->fail_domain(b.binding, name, b.quiet, std::move(done));
  });
  const std::size_t n = co_await std::move(op);
  co_return json_response(Status::ok, json::object{{"domain", name}, {"failed", n}}, req);
}

asio::awaitable<Response> refresh_domain(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                         const RequestContext& ctx) {
  const std::string name = ctx.params.at(0);
  auto op = admin_call<std::size_t>(
      ex, [admin, name](std::function<void(std::size_t)> done) { admin->refresh_domain(name, std::move(done)); });
  const std::size_t n = co_await std::move(op);
  co_return json_response(Status::ok, json::object{{"domain", name}, {"refreshed", n}}, req);
}

// ---- message actions ----

asio::awaitable<Response> message_action(AdminPtr admin, asio::any_io_executor ex, const Request& req,
                                         const RequestContext& ctx, bool failing) {
  const std::string text = ctx.params.at(0);
  auto body = parse_action_body(req);
  if (!body) co_return json_error(Status::bad_request, body.error(), req);
  auto id = spool::MessageId::parse(text);
  if (!id) co_return json_error(Status::not_found, fmt::format("'{}' is not a message id", text), req);
  const spool::MessageId mid = *id;
  const bool quiet = body->quiet;
  auto op = admin_call<admin::MessageAction>(ex, [admin, mid, failing, quiet](std::function<void(admin::MessageAction)> done) {
    if (failing) admin->fail_message(mid, quiet, std::move(done));
    else admin->retry_message(mid, std::move(done));
  });
  const admin::MessageAction act = co_await std::move(op);
  switch (act) {
    case admin::MessageAction::kDone:
      co_return json_response(Status::ok, json::object{{"id", text}, {"status", failing ? "failed" : "requeued"}}, req);
    case admin::MessageAction::kInFlight:
      co_return json_error(Status::conflict,
                           fmt::format("message {} is being delivered; try again when the attempt ends", text), req);
    case admin::MessageAction::kNotFound:
      break;
  }
  co_return json_error(Status::not_found, fmt::format("message {} not found", text), req);
}

// ---- daemon ----

asio::awaitable<Response> reload(AdminPtr admin, asio::any_io_executor ex, const Request& req) {
  auto op = admin_call<admin::ReloadOutcome>(ex, [admin](std::function<void(admin::ReloadOutcome)> done) { done(admin->reload()); });
  const auto r = co_await std::move(op);
  if (!r.ok) co_return json_response(Status::conflict, reload_refused_json(r), req);
  co_return json_response(Status::ok, json::object{{"status", "reloaded"}}, req);
}

}  // namespace

void add_admin_routes(Routes& routes, std::shared_ptr<admin::Admin> admin, asio::any_io_executor ex) {
  using beast_http::verb;
  const Access a = Access::kApiKey;
  routes.add(verb::get, "/api/v1/summary", a,
             [admin, ex](const Request& req, const RequestContext&) { return get_summary(admin, ex, req); });
  routes.add(verb::get, "/api/v1/domains/{name}", a,
             [admin, ex](const Request& req, const RequestContext& ctx) { return get_domain(admin, ex, req, ctx); });
  routes.add(verb::get, "/api/v1/queues", a,
             [admin, ex](const Request& req, const RequestContext&) { return get_queues(admin, ex, req); });
  routes.add(verb::get, "/api/v1/messages/{id}", a,
             [admin, ex](const Request& req, const RequestContext& ctx) { return get_message(admin, ex, req, ctx); });
  routes.add(verb::post, "/api/v1/domains/{name}/flush", a,
             [admin, ex](const Request& req, const RequestContext& ctx) { return flush_domain(admin, ex, req, ctx); });
  routes.add(verb::post, "/api/v1/domains/{name}/fail", a,
             [admin, ex](const Request& req, const RequestContext& ctx) { return fail_domain(admin, ex, req, ctx); });
  routes.add(verb::post, "/api/v1/domains/{name}/refresh", a, [admin, ex](const Request& req, const RequestContext& ctx) {
    return refresh_domain(admin, ex, req, ctx);
  });
  routes.add(verb::post, "/api/v1/messages/{id}/retry", a, [admin, ex](const Request& req, const RequestContext& ctx) {
    return message_action(admin, ex, req, ctx, false);
  });
  routes.add(verb::post, "/api/v1/messages/{id}/fail", a, [admin, ex](const Request& req, const RequestContext& ctx) {
    return message_action(admin, ex, req, ctx, true);
  });
  routes.add(verb::post, "/api/v1/config/reload", a,
             [admin, ex](const Request& req, const RequestContext&) { return reload(admin, ex, req); });
}

}  // namespace impulse::inbound::http
