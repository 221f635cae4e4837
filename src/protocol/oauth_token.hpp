// The OAuth2 JWT-bearer grant's texts (RFC 7523 §2.1, §3; RFC 6749 §5.1,
// §5.2; Google's service-account flow, reference/protocols.md §5b): the JWT
// header and claims, the form body POSTed to the token_uri, and the
// token endpoint's answer read into a token or a refusal.
//
//   header  {"alg":"RS256","typ":"JWT"[,"kid":private_key_id]}
//   claims  {"iss":client_email,"scope":scope,"aud":token_uri,"iat":now,"exp":now+3600}
//   body    grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=<jwt>
//   answer  200 {"access_token":..,"expires_in":3599,"token_type":"Bearer"} -> kToken
//           400/401/403 {"error":"invalid_grant","error_description":..}    -> kRefused
//           anything else (5xx, 200 without a token)                        -> kFailed
//
// Leaves to others: signing (delivery/gcm/oauth_signer.hpp), sending,
// caching and renewing (delivery/gcm/access_token.hpp).
// Threading: pure functions. Failure modes: none beyond the answer's kinds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace impulse::protocol {

inline constexpr std::string_view kFcmScope = "https://www.googleapis.com/auth/firebase.messaging";
inline constexpr std::int64_t kJwtLifetime = 3600;

std::string jwt_rs256_header(std::string_view key_id);
std::string jwt_bearer_claims(std::string_view client_email, std::string_view scope, std::string_view audience,
                              std::int64_t iat);
std::string jwt_bearer_form(std::string_view assertion);

struct OAuthAnswer {
  enum class Kind { kToken, kRefused, kFailed };
  Kind kind = Kind::kFailed;
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds (3600 when the answer omits it)
  std::string text;             // "<status> <error>[: <description>]", one printable line
};

OAuthAnswer parse_oauth_answer(int status, std::string_view body);

}  // namespace impulse::protocol
