// Implementation of protocol/service_account.hpp.
#include "protocol/service_account.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

namespace json = boost::json;

using Error = impulse::unexpected<std::string>;

// A required non-empty string member.
impulse::expected<std::string, std::string> required(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end()) return Error("no \"" + std::string(name) + "\"");
  if (!it->value().is_string()) return Error("\"" + std::string(name) + "\" is not a string");
  std::string v(it->value().get_string());
  if (trim(v).empty()) return Error("\"" + std::string(name) + "\" is empty");
  return v;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

}  // namespace

impulse::expected<TokenUri, std::string> parse_token_uri(std::string_view uri) {
  TokenUri t;
  std::string_view rest;
  if (istarts_with(uri, "https://")) {
    t.scheme = "https";
    t.port = 443;
    rest = uri.substr(8);
  } else if (istarts_with(uri, "http://")) {
    t.scheme = "http";
    t.port = 80;
    rest = uri.substr(7);
  } else {
    return Error("\"token_uri\" is not an https URL");
  }
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (t.path.front() != '/') t.path.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return Error("\"token_uri\" has user information");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Error("\"token_uri\" has an unclosed IPv6 literal");
    t.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error("\"token_uri\" has text after its IPv6 literal");
      port = after.substr(1);
    }
    for (char c : t.host)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'))
        return Error("\"token_uri\" has a bad IPv6 literal");
  } else {
    const std::size_t colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    for (char c : t.host)
      if (!host_char(c)) return Error("\"token_uri\" has a bad host name");
  }
  if (t.host.empty()) return Error("\"token_uri\" has no host");
  if (!port.empty() || authority.ends_with(':')) {
    if (port.empty() || port.size() > 5) return Error("\"token_uri\" has a bad port");
    unsigned long n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return Error("\"token_uri\" has a bad port");
      n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    if (n == 0 || n > 65535) return Error("\"token_uri\" has a bad port");
    t.port = static_cast<std::uint16_t>(n);
  }
  for (char c : t.path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Error("\"token_uri\" has a bad path");
  }
  return t;
}

impulse::expected<ServiceAccount, std::string> parse_service_account(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error("not valid JSON: " + ec.message());
  if (!v.is_object()) return Error("not a JSON object");
  const json::object& o = v.get_object();
  ServiceAccount a;
  auto type = required(o, "type");
  if (!type) return Error(type.error());
  if (*type != "service_account") return Error("\"type\" is \"" + type->substr(0, 60) + "\", not \"service_account\"");
  a.type = std::move(*type);
  for (auto [name, field] : {std::pair{"project_id", &a.project_id}, std::pair{"private_key", &a.private_key},
                             std::pair{"client_email", &a.client_email}, std::pair{"token_uri", &a.token_uri}}) {
    auto value = required(o, name);
    if (!value) return Error(value.error());
    *field = std::move(*value);
  }
  if (a.private_key.find("-----BEGIN") == std::string::npos || a.private_key.find("PRIVATE KEY-----") == std::string::npos)
    return Error("\"private_key\" is not a PEM private key");
  if (a.client_email.find('@') == std::string::npos) return Error("\"client_email\" is not an address");
  if (auto it = o.find("private_key_id"); it != o.end() && it->value().is_string())
    a.private_key_id = std::string(it->value().get_string());
  auto uri = parse_token_uri(a.token_uri);
  if (!uri) return Error(uri.error());
  a.token = std::move(*uri);
  return a;
}

}  // namespace impulse::protocol
