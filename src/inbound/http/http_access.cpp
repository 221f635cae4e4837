// Implementation of inbound/http/http_access.hpp.
#include "inbound/http/http_access.hpp"

#include <openssl/crypto.h>

#include "base/strings.hpp"

namespace impulse::inbound::http {

bool peer_allowed(const HttpListenerSettings& settings, const config::IpAddress& peer) {
  for (const auto& cidr : settings.relay_hosts)
    if (cidr.contains(peer)) return true;
  return false;
}

std::string_view bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (!istarts_with(authorization, kScheme)) return {};
  return trim(authorization.substr(kScheme.size()));
}

std::optional<Response> check_access(Access access, const HttpListenerSettings& settings,
                                     const config::IpAddress& peer, const Request& req) {
  if (access == Access::kPublic) return std::nullopt;
  if (!peer_allowed(settings, peer))
    return json_error(beast_http::status::forbidden, "client " + peer.str() + " is not in Relay_Hosts", req);
  if (access == Access::kRelayHostsOnly || settings.api_keys.empty()) return std::nullopt;
  const auto header = req.find(beast_http::field::authorization);
  const std::string_view token =
      header == req.end() ? std::string_view{} : bearer_token(std::string_view(header->value().data(), header->value().size()));
  bool match = false;
  if (!token.empty()) {
    for (const auto& key : settings.api_keys)
      if (key.size() == token.size() && CRYPTO_memcmp(key.data(), token.data(), key.size()) == 0) match = true;
  }
  if (match) return std::nullopt;
  auto res = json_error(beast_http::status::unauthorized,
                        token.empty() ? "missing API key (Authorization: Bearer <key>)" : "wrong API key", req);
  res.set(beast_http::field::www_authenticate, "Bearer");
  return res;
}

}  // namespace impulse::inbound::http
