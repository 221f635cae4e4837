// Implementation of protocol/oauth_token.hpp.
#include "protocol/oauth_token.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "protocol/apn_response.hpp"

namespace impulse::protocol {
namespace {

namespace json = boost::json;

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return out;
}

std::string form_escape(std::string_view s) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

}  // namespace

std::string jwt_rs256_header(std::string_view key_id) {
  json::object h;
  h["alg"] = "RS256";
  h["typ"] = "JWT";
  if (!key_id.empty()) h["kid"] = key_id;
  return json::serialize(h);
}

std::string jwt_bearer_claims(std::string_view client_email, std::string_view scope, std::string_view audience,
                              std::int64_t iat) {
  json::object c;
  c["iss"] = client_email;
  c["scope"] = scope;
  c["aud"] = audience;
  c["iat"] = iat;
  c["exp"] = iat + kJwtLifetime;
  return json::serialize(c);
}

std::string jwt_bearer_form(std::string_view assertion) {
  return "grant_type=" + form_escape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
         "&assertion=" + form_escape(assertion);
}

OAuthAnswer parse_oauth_answer(int status, std::string_view body) {
  OAuthAnswer a;
  json::object o;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) o = std::move(v.get_object());
  auto str = [&](std::string_view name) -> std::string_view {
    auto it = o.find(name);
    return it != o.end() && it->value().is_string() ? std::string_view(it->value().get_string()) : std::string_view();
  };
  if (status == 200) {
    const std::string_view token = str("access_token");
    bool clean = !token.empty() && token.size() <= 8192;
    for (char c : token)
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) clean = false;
    if (clean) {
      a.kind = OAuthAnswer::Kind::kToken;
      a.access_token = std::string(token);
      a.expires_in = 3600;
      if (auto it = o.find("expires_in"); it != o.end()) {
        if (it->value().is_int64()) a.expires_in = it->value().get_int64();
        else if (it->value().is_uint64()) a.expires_in = static_cast<std::int64_t>(std::min<std::uint64_t>(it->value().get_uint64(), 1u << 30));
      }
      if (a.expires_in < 1) a.expires_in = 1;
      a.text = "200 OK";
      return a;
    }
    a.kind = OAuthAnswer::Kind::kFailed;
    a.text = "200 no access_token in the answer";
    return a;
  }
  a.kind = status == 400 || status == 401 || status == 403 ? OAuthAnswer::Kind::kRefused : OAuthAnswer::Kind::kFailed;
  std::string what(str("error"));
  if (what.empty()) what = std::string(http_reason_phrase(status));
  a.text = std::to_string(status) + (what.empty() ? "" : " " + printable(what, 100));
  if (auto d = str("error_description"); !d.empty()) a.text += ": " + printable(d, 150);
  return a;
}

}  // namespace impulse::protocol
