// Implementation of protocol/gcm_request.hpp.
#include "protocol/gcm_request.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

namespace json = boost::json;

using Error = impulse::unexpected<std::string>;

Error error(std::string text) { return Error(std::move(text)); }

// The payload as a JSON object, within the size limit.
impulse::expected<json::object, std::string> payload_object(const ChannelPart& part) {
  if (trim(part.payload).empty()) return error("GCM payload is empty");
  if (part.payload.size() > kGcmMaxPayload)
    return error("GCM payload of " + std::to_string(part.payload.size()) + " bytes exceeds the " +
                 std::to_string(kGcmMaxPayload) + "-byte limit");
  boost::system::error_code ec;
  json::value v = json::parse(part.payload, ec);
  if (ec) return error("GCM payload is not valid JSON: " + ec.message());
  if (!v.is_object()) return error("GCM payload is not a JSON object");
  return std::move(v.get_object());
}

// A boolean header: nullopt when absent.
impulse::expected<std::optional<bool>, std::string> bool_header(const ChannelPart& part, std::string_view name) {
  auto v = part.header(name);
  if (!v) return std::optional<bool>();
  const std::string_view t = trim(*v);
  if (iequals(t, "true") || iequals(t, "yes") || t == "1") return std::optional<bool>(true);
  if (iequals(t, "false") || iequals(t, "no") || t == "0") return std::optional<bool>(false);
  return error(std::string(name) + " '" + std::string(t.substr(0, 40)) + "' is not true or false");
}

// X-Time-To-Live, else the option; -1 = none.
impulse::expected<std::int64_t, std::string> time_to_live(const ChannelPart& part, const GcmOptions& options) {
  auto v = part.header("X-Time-To-Live");
  if (!v) return options.ttl;
  const std::string_view t = trim(*v);
  if (t.empty() || t.size() > 8) return error("X-Time-To-Live '" + std::string(t.substr(0, 40)) + "' is not seconds");
  std::int64_t n = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return error("X-Time-To-Live '" + std::string(t) + "' is not seconds");
    n = n * 10 + (c - '0');
  }
  if (n > kGcmMaxTtl) return error("X-Time-To-Live " + std::string(t) + " exceeds four weeks (2419200 s)");
  return n;
}

// Data values must be strings: others travel JSON-encoded.
json::object string_values(const json::object& in) {
  json::object out;
  for (const auto& kv : in) {
    if (kv.value().is_string()) out[kv.key()] = kv.value();
    else out[kv.key()] = json::serialize(kv.value());
  }
  return out;
}

std::optional<std::string> text_header(const ChannelPart& part, std::string_view name) {
  auto v = part.header(name);
  if (!v) return std::nullopt;
  return std::string(trim(*v));
}

}  // namespace

impulse::expected<std::string, std::string> gcm_registration_token(const ChannelPart& part,
                                                                   std::string_view local_part) {
  std::string_view token = local_part;
  if (auto h = part.header("X-Registration-ID")) token = *h;
  token = trim(token);
  if (token.empty()) return error("no GCM registration token (X-Registration-ID or the recipient's local part)");
  if (token.size() > 4096) return error("GCM registration token is longer than 4096 characters");
  for (char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\')
      return error("GCM registration token contains a character that cannot be sent");
  }
  return std::string(token);
}

impulse::expected<std::string, std::string> build_fcm_v1_body(const ChannelPart& part, std::string_view token,
                                                              const GcmOptions& options) {
  auto object = payload_object(part);
  if (!object) return impulse::unexpected(object.error());
  auto ttl = time_to_live(part, options);
  if (!ttl) return impulse::unexpected(ttl.error());
  auto dry = bool_header(part, "X-Dry-Run");
  if (!dry) return impulse::unexpected(dry.error());
  const auto collapse = text_header(part, "X-Collapse-Key");

  json::object body;
  json::object message;
  if (auto it = object->find("message"); it != object->end()) {
    if (!it->value().is_object()) return error("GCM payload's \"message\" is not a JSON object");
    message = it->value().get_object();
    if (message.contains("topic") || message.contains("condition"))
      return error("GCM payload's message names a topic or condition; a GCM recipient is one registration token");
    if (auto d = message.find("data"); d != message.end()) {
      if (!d->value().is_object()) return error("GCM payload's message.data is not a JSON object");
      d->value() = string_values(d->value().get_object());
    }
    if (auto v = object->find("validate_only"); v != object->end()) body["validate_only"] = v->value();
  } else {
    message["data"] = string_values(*object);
  }
  message["token"] = token;

  json::object android;
  if (auto a = message.find("android"); a != message.end()) {
    if (!a->value().is_object()) return error("GCM payload's message.android is not a JSON object");
    android = a->value().get_object();
  }
  if (*ttl >= 0 && !android.contains("ttl")) android["ttl"] = std::to_string(*ttl) + "s";
  if (collapse && !collapse->empty() && !android.contains("collapse_key")) android["collapse_key"] = *collapse;
  if (!android.empty()) message["android"] = std::move(android);

  const bool validate_only = dry->value_or(options.dry_run);
  if (validate_only && !body.contains("validate_only")) body["validate_only"] = true;
  body["message"] = std::move(message);
  return json::serialize(body);
}

impulse::expected<std::string, std::string> build_gcm_legacy_body(const ChannelPart& part, std::string_view token,
                                                                  const GcmOptions& options) {
  auto object = payload_object(part);
  if (!object) return impulse::unexpected(object.error());
  auto ttl = time_to_live(part, options);
  if (!ttl) return impulse::unexpected(ttl.error());
  auto dry = bool_header(part, "X-Dry-Run");
  if (!dry) return impulse::unexpected(dry.error());
  auto idle = bool_header(part, "X-Delay-While-Idle");
  if (!idle) return impulse::unexpected(idle.error());
  const auto application = text_header(part, "X-Application-ID");
  const auto collapse = text_header(part, "X-Collapse-Key");

  json::object body;
  body["to"] = token;
  body["data"] = string_values(*object);
  if (*ttl >= 0) body["time_to_live"] = *ttl;
  if (idle->value_or(options.delay_while_idle)) body["delay_while_idle"] = true;
  const std::string package = application ? *application : options.application_id;
  if (!package.empty()) body["restricted_package_name"] = package;
  if (collapse && !collapse->empty()) body["collapse_key"] = *collapse;
  if (dry->value_or(options.dry_run)) body["dry_run"] = true;
  return json::serialize(body);
}

std::string fcm_v1_path(std::string_view project_id) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "/v1/projects/";
  for (char c : project_id) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  out += "/messages:send";
  return out;
}

}  // namespace impulse::protocol
