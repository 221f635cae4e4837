// Implementation of protocol/rest_inject.hpp.
#include "protocol/rest_inject.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "protocol/base64.hpp"
#include "protocol/smtp_command.hpp"

namespace impulse::protocol {
namespace {

namespace json = boost::json;
using Fail = impulse::unexpected<std::string>;

Fail fail(std::string text) { return Fail(std::move(text)); }

impulse::expected<json::object, std::string> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return fail("malformed JSON: " + ec.message());
  if (!v.is_object()) return fail("the request body must be a JSON object");
  return std::move(v.as_object());
}

// A string member; nullopt when absent; an error when of another type.
impulse::expected<std::optional<std::string>, std::string> string_member(const json::object& o, std::string_view key,
                                                                         const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) return fail(where + std::string(key) + ": must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

impulse::expected<std::string, std::string> required_string(const json::object& o, std::string_view key,
                                                            const std::string& where) {
  auto s = string_member(o, key, where);
  if (!s) return fail(s.error());
  if (!*s) return fail(where + std::string(key) + ": missing");
  return std::move(**s);
}

bool has_eight_bit(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) > 127) return true;
  return false;
}

// A key value as template text.
impulse::expected<std::string, std::string> key_text(const json::value& v, const std::string& where) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64() || v.is_uint64() || v.is_double()) return json::serialize(v);
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  return fail(where + ": must be a string, number or boolean");
}

impulse::expected<RestRecipient, std::string> parse_recipient(const json::value& v, std::size_t index) {
  const std::string where = "recipients[" + std::to_string(index) + "].";
  if (!v.is_object()) return fail("recipients[" + std::to_string(index) + "]: must be an object");
  const json::object& o = v.as_object();
  RestRecipient r;
  auto to = required_string(o, "to", where);
  if (!to) return fail(to.error());
  auto to_checked = check_address(*to, false);
  if (!to_checked) return fail(where + "to: " + to_checked.error());
  r.to = std::move(*to_checked);
  auto from = required_string(o, "from", where);
  if (!from) return fail(from.error());
  auto from_checked = check_address(*from, true);
  if (!from_checked) return fail(where + "from: " + from_checked.error());
  r.from = std::move(*from_checked);
  if (const json::value* keys = o.if_contains("keys")) {
    if (!keys->is_object()) return fail(where + "keys: must be an object");
    for (const auto& kv : keys->as_object()) {
      auto text = key_text(kv.value(), where + "keys." + std::string(kv.key()));
      if (!text) return fail(text.error());
      r.keys.emplace_back(std::string(kv.key()), std::move(*text));
    }
  }
  if (const json::value* vctx = o.if_contains("vctx"); vctx && !vctx->is_object())
    return fail(where + "vctx: must be an object");
  return r;
}

bool binding_name_ok(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

}  // namespace

impulse::expected<std::string, std::string> check_address(std::string_view address, bool sender) {
  if (address.empty()) {
    if (sender) return std::string();
    return fail("empty address");
  }
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '<' || c == '>')
      return fail("not a valid address: '" + std::string(address) + "'");
  }
  const std::string line = std::string(sender ? "MAIL FROM:<" : "RCPT TO:<") + std::string(address) + ">";
  auto cmd = parse_command(line);
  if (!cmd) return fail("not a valid address: " + cmd.error().detail);
  if (!sender && cmd->path.domain.empty()) return fail("not a valid address: no domain in '" + std::string(address) + "'");
  return cmd->path.address();
}

impulse::expected<RestInjectRequest, std::string> parse_rest_inject(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return fail(object.error());
  RestInjectRequest request;
  auto tmpl = required_string(*object, "template", "");
  if (!tmpl) return fail(tmpl.error());
  if (tmpl->empty()) return fail("template: empty");
  request.template_text = std::move(*tmpl);
  const json::value* recipients = object->if_contains("recipients");
  if (!recipients) return fail("recipients: missing");
  if (!recipients->is_array()) return fail("recipients: must be an array");
  if (recipients->as_array().empty()) return fail("recipients: empty");
  std::size_t index = 0;
  for (const auto& v : recipients->as_array()) {
    auto r = parse_recipient(v, index++);
    if (!r) return fail(r.error());
    request.recipients.push_back(std::move(*r));
  }
  return request;
}

impulse::expected<std::vector<PreparedMessage>, std::string> prepare_rest_inject(const RestInjectRequest& request) {
  std::vector<PreparedMessage> out;
  out.reserve(request.recipients.size());
  for (std::size_t i = 0; i < request.recipients.size(); ++i) {
    const RestRecipient& r = request.recipients[i];
    TemplateKeys keys = r.keys;  // explicit keys first: they override to/from
    keys.emplace_back("to", r.to);
    keys.emplace_back("from", r.from);
    auto text = substitute_template(request.template_text, keys);
    if (!text) return fail("recipients[" + std::to_string(i) + "]: " + text.error());
    PreparedMessage m;
    m.sender = r.from;
    m.recipients.push_back(r.to);
    m.data = normalise_crlf(*text);
    m.eight_bit = has_eight_bit(m.data);
    out.push_back(std::move(m));
  }
  return out;
}

impulse::expected<MessageRequest, std::string> parse_message_request(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return fail(object.error());
  MessageRequest request;
  auto sender = required_string(*object, "envelope_sender", "");
  if (!sender) return fail(sender.error());
  auto sender_checked = check_address(*sender, true);
  if (!sender_checked) return fail("envelope_sender: " + sender_checked.error());
  request.message.sender = std::move(*sender_checked);

  const json::value* recipients = object->if_contains("recipients");
  if (!recipients) return fail("recipients: missing");
  if (!recipients->is_array()) return fail("recipients: must be an array of strings");
  if (recipients->as_array().empty()) return fail("recipients: empty");
  std::size_t index = 0;
  for (const auto& v : recipients->as_array()) {
    const std::string where = "recipients[" + std::to_string(index++) + "]";
    if (!v.is_string()) return fail(where + ": must be a string");
    auto checked = check_address(v.as_string(), false);
    if (!checked) return fail(where + ": " + checked.error());
    request.message.recipients.push_back(std::move(*checked));
  }

  auto content = string_member(*object, "content", "");
  if (!content) return fail(content.error());
  auto content64 = string_member(*object, "content_base64", "");
  if (!content64) return fail(content64.error());
  if (*content && *content64) return fail("give either content or content_base64, not both");
  if (!*content && !*content64) return fail("content: missing (or content_base64)");
  std::string raw;
  if (*content) {
    raw = std::move(**content);
  } else {
    auto decoded = decode_base64(**content64);
    if (!decoded) return fail("content_base64: " + decoded.error());
    raw = std::move(*decoded);
  }
  if (raw.empty()) return fail("content: empty");
  request.message.data = normalise_crlf(raw);
  request.message.eight_bit = has_eight_bit(request.message.data);

  for (auto [key, slot] : {std::pair<std::string_view, std::optional<std::string>*>{"binding", &request.binding},
                           {"binding_group", &request.binding_group}}) {
    auto name = string_member(*object, key, "");
    if (!name) return fail(name.error());
    if (!*name) continue;
    if (!binding_name_ok(**name)) return fail(std::string(key) + ": not a valid name");
    *slot = std::move(**name);
  }
  return request;
}

}  // namespace impulse::protocol
