// OAuthSigner: the service account's RSA key and the RS256 JWT assertion of
// the OAuth2 JWT-bearer grant (RFC 7523; RFC 7515, RFC 7518 §3.3 RS256 =
// RSASSA-PKCS1-v1_5 with SHA-256; reference/protocols.md §5b). Claims:
// iss = client_email, scope = firebase.messaging, aud = token_uri, iat =
// now, exp = now + 3600 (protocol/oauth_token.hpp).
//
// Leaves to others: sending the grant, caching the token (access_token.hpp).
// Threading: immutable once loaded; sign() may be called from any thread.
// Failure modes: load() says why the key cannot be used (not a PEM private
// key, not RSA, a test signature failing); sign() returns OpenSSL's reason.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/expected.hpp"
#include "protocol/service_account.hpp"

struct evp_pkey_st;

namespace impulse::delivery::gcm {

class OAuthSigner {
 public:
  static impulse::expected<OAuthSigner, std::string> load(const protocol::ServiceAccount& account);

  // The signed assertion for a grant made at `now_unix`.
  impulse::expected<std::string, std::string> assertion(std::int64_t now_unix) const;

  const std::string& client_email() const { return client_email_; }

 private:
  OAuthSigner(std::shared_ptr<evp_pkey_st> key, const protocol::ServiceAccount& account);

  std::shared_ptr<evp_pkey_st> key_;
  std::string client_email_;
  std::string key_id_;
  std::string audience_;
};

// header.claims signed RS256 with `key` (push/jws.hpp; exposed for tests of the format).
impulse::expected<std::string, std::string> sign_rs256_jwt(evp_pkey_st* key, std::string_view header_json,
                                                            std::string_view claims_json);

}  // namespace impulse::delivery::gcm
