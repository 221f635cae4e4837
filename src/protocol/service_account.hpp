// Google service-account key files (SPEC §13 "FCM HTTP v1";
// reference/protocols.md §5b): the JSON a Firebase console downloads, read
// into the fields the OAuth2 JWT-bearer grant needs (type, project_id,
// private_key, client_email, token_uri; private_key_id when present), and
// the token_uri split into scheme, host, port and path.
//
// Leaves to others: reading the file (the caller), loading and using the
// key (delivery/gcm/), resolving the token_uri host.
// Threading: pure functions.
// Failure modes: an error text naming what is wrong ("not valid JSON: ...",
// "\"type\" is \"authorized_user\", not \"service_account\"", "no
// \"client_email\"", "\"token_uri\" is not an https URL"), used by --check
// and by the transport's settings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

struct TokenUri {
  std::string scheme;  // "https" (or "http")
  std::string host;    // without brackets for an IPv6 literal
  std::uint16_t port = 443;
  std::string path;    // "/token"; "/" when none
};

struct ServiceAccount {
  std::string type;  // "service_account"
  std::string project_id;
  std::string private_key;  // PEM
  std::string private_key_id;
  std::string client_email;
  std::string token_uri;  // as written
  TokenUri token;         // token_uri parsed
};

impulse::expected<ServiceAccount, std::string> parse_service_account(std::string_view json);

// "https://oauth2.googleapis.com/token" -> {https, oauth2.googleapis.com, 443, /token}.
impulse::expected<TokenUri, std::string> parse_token_uri(std::string_view uri);

}  // namespace impulse::protocol
