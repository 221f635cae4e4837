// JWS signatures of the push providers' JWTs, written once for APN's ES256
// provider token (apn/provider_token.hpp) and GCM's RS256 OAuth assertion
// (gcm/oauth_signer.hpp): the compact serialization
// base64url(header) "." base64url(claims) "." base64url(signature)
// (RFC 7515 §7.1), signed with SHA-256 by OpenSSL: RS256 is RSASSA-PKCS1-v1_5
// (RFC 7518 §3.3); ES256 is ECDSA P-256 with OpenSSL's DER signature turned
// into r || s, 32 bytes each (RFC 7518 §3.4).
//
// Leaves to others: the header and claims (the callers; protocol/), loading
// and checking keys. Threading: pure over an immutable key; any thread.
// Failure modes: an error text with OpenSSL's reason; nothing throws.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

struct evp_pkey_st;

namespace impulse::delivery::push {

enum class JwsAlgorithm { kEs256, kRs256 };

impulse::expected<std::string, std::string> sign_jws(evp_pkey_st* key, JwsAlgorithm algorithm,
                                                     std::string_view header_json, std::string_view claims_json);

// `what`, then ": " and OpenSSL's first queued error if there is one; the
// error queue is cleared.
std::string openssl_error(std::string_view what);

}  // namespace impulse::delivery::push
