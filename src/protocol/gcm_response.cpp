// Implementation of protocol/gcm_response.hpp.
#include "protocol/gcm_response.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "protocol/apn_response.hpp"

namespace impulse::protocol {
namespace {

namespace json = boost::json;
using K = GcmVerdictKind;

constexpr std::size_t kMaxText = 200;

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= kMaxText) break;
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return out;
}

std::string member_string(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return {};
  return printable(std::string_view(it->value().get_string()));
}

// A token as given (not cut): printable ASCII, at most 4096 characters, else "".
std::string token_string(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return {};
  const std::string_view t(it->value().get_string());
  if (t.size() > 4096) return {};
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return {};
  }
  return std::string(t);
}

std::optional<json::object> parse_object(std::string_view body) {
  if (body.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string text(int status, std::string_view what) {
  std::string out = std::to_string(status);
  if (what.empty()) what = http_reason_phrase(status);
  if (!what.empty()) {
    out += ' ';
    out += what;
  }
  return out;
}

struct V1Error {
  std::string code;    // details[].errorCode
  std::string status;  // error.status (gRPC)
};

V1Error read_v1_error(std::string_view body) {
  V1Error e;
  auto o = parse_object(body);
  if (!o) return e;
  auto err = o->find("error");
  if (err == o->end() || !err->value().is_object()) return e;
  const json::object& eo = err->value().get_object();
  e.status = member_string(eo, "status");
  if (auto d = eo.find("details"); d != eo.end() && d->value().is_array()) {
    for (const json::value& detail : d->value().get_array()) {
      if (!detail.is_object()) continue;
      std::string code = member_string(detail.get_object(), "errorCode");
      if (!code.empty()) {
        e.code = std::move(code);
        break;
      }
    }
  }
  return e;
}

std::optional<K> v1_code_kind(std::string_view code) {
  if (code == "INVALID_ARGUMENT" || code == "SENDER_ID_MISMATCH") return K::kPermanent;
  if (code == "UNREGISTERED") return K::kDeadToken;
  if (code == "QUOTA_EXCEEDED" || code == "UNAVAILABLE" || code == "INTERNAL") return K::kTransient;
  if (code == "THIRD_PARTY_AUTH_ERROR") return K::kCredentials;
  return std::nullopt;  // UNSPECIFIED_ERROR and codes not yet known: by the status
}

K v1_status_kind(int status, std::string_view grpc_status) {
  switch (status) {
    case 200: return K::kDelivered;
    case 400: return K::kPermanent;
    case 401: return K::kCredentials;
    case 403:
      return grpc_status == "PERMISSION_DENIED" || grpc_status == "UNAUTHENTICATED" ? K::kCredentials : K::kPermanent;
    default: return K::kTransient;  // 404 without UNREGISTERED, 429, 5xx, anything unlisted
  }
}

std::optional<std::chrono::seconds> retry_after(std::optional<std::string_view> header, std::int64_t now_unix) {
  if (!header) return std::nullopt;
  return parse_retry_after(*header, now_unix);
}

K legacy_error_kind(std::string_view error) {
  if (error == "NotRegistered" || error == "InvalidRegistration") return K::kDeadToken;
  if (error == "Unavailable" || error == "InternalServerError" || error == "DeviceMessageRateExceeded" ||
      error == "TopicsMessageRateExceeded")
    return K::kTransient;
  return K::kPermanent;
}

}  // namespace

GcmVerdict classify_fcm_v1_response(int status, std::string_view body_json,
                                    std::optional<std::string_view> retry_after_header, std::int64_t now_unix) {
  GcmVerdict v;
  v.retry_after = retry_after(retry_after_header, now_unix);
  if (status == 200) {
    v.kind = K::kDelivered;
    if (auto o = parse_object(body_json)) v.message_id = member_string(*o, "name");
    v.response_text = text(200, v.message_id.empty() ? std::string_view("OK") : std::string_view(v.message_id));
    return v;
  }
  const V1Error e = read_v1_error(body_json);
  v.error_code = e.code;
  const auto by_code = v1_code_kind(e.code);
  v.kind = by_code ? *by_code : v1_status_kind(status, e.status);
  v.response_text = text(status, !e.code.empty() ? e.code : e.status);
  return v;
}

GcmVerdict classify_gcm_legacy_response(int status, std::string_view body_json,
                                        std::optional<std::string_view> retry_after_header, std::int64_t now_unix) {
  GcmVerdict v;
  v.retry_after = retry_after(retry_after_header, now_unix);
  if (status != 200) {
    v.kind = status == 400 ? K::kPermanent : status == 401 ? K::kCredentials : K::kTransient;
    v.response_text = text(status, {});
    return v;
  }
  auto o = parse_object(body_json);
  const json::object* result = nullptr;
  if (o) {
    if (auto r = o->find("results"); r != o->end() && r->value().is_array() && !r->value().get_array().empty() &&
                                      r->value().get_array()[0].is_object())
      result = &r->value().get_array()[0].get_object();
  }
  if (!result) {
    v.kind = K::kTransient;
    v.response_text = "200 no result in the GCM response";
    return v;
  }
  v.error_code = member_string(*result, "error");
  if (!v.error_code.empty()) {
    v.kind = legacy_error_kind(v.error_code);
    v.response_text = text(200, v.error_code);
    return v;
  }
  v.message_id = member_string(*result, "message_id");
  if (v.message_id.empty()) {
    v.kind = K::kTransient;
    v.response_text = "200 no message_id or error in the GCM result";
    return v;
  }
  v.kind = K::kDelivered;
  v.canonical_token = token_string(*result, "registration_id");
  v.response_text = text(200, v.message_id);
  return v;
}

}  // namespace impulse::protocol
