// ProviderToken: the APNs provider authentication token (SPEC §12 token
// authentication; reference/protocols.md §4a "Token (JWT) auth"; RFC 7515,
// RFC 7518 §3.4): a JWT {"alg":"ES256","kid":KEY_ID}.{"iss":TEAM_ID,"iat":now}
// signed with the team's .p8 P-256 key (OpenSSL), base64url without
// padding, the signature as raw r||s (64 bytes, converted from OpenSSL's DER).
//
// One token is reused across requests and connections and renewed
// kRenewAfter (40 min) after its iat, inside Apple's window (no more than
// once per 20 min, at least once per 60 min); invalidate() forces a new one
// at the next bearer() (after 403 ExpiredProviderToken).
//
// Leaves to others: the `authorization: bearer <jwt>` header and the retry
// after ExpiredProviderToken (the APN session), which key goes with which
// domain (the APN transport keeps one token per key file, key id and team).
// Threading: not thread-safe; owned by one event loop's APN transport.
// Failure modes: load() returns why the key cannot be used (unreadable file,
// not a PEM private key, not an EC P-256 key, empty key or team id, a test
// signature failing). bearer() cannot fail once loaded; should OpenSSL
// refuse a later signature, the previous token is kept (and "" returned
// if there was none).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/expected.hpp"

struct evp_pkey_st;

namespace impulse::delivery::apn {

class ProviderToken {
 public:
  static constexpr std::chrono::seconds kRenewAfter{40 * 60};

  static impulse::expected<ProviderToken, std::string> load(const std::string& key_file, std::string key_id,
                                                           std::string team_id);

  // The JWT (without "bearer "): the current one, or a new one signed now
  // when there is none, it is kRenewAfter old, it was invalidated, or the
  // clock went back before its iat.
  const std::string& bearer(std::int64_t now_unix);
  void invalidate();

  // The iat of the current token (0 = none yet); for tests and logs.
  std::int64_t issued_at() const { return iat_; }
  const std::string& key_id() const { return key_id_; }

 private:
  ProviderToken(std::shared_ptr<evp_pkey_st> key, std::string key_id, std::string team_id);
  impulse::expected<std::string, std::string> sign(std::int64_t iat) const;

  std::shared_ptr<evp_pkey_st> key_;
  std::string key_id_;
  std::string team_id_;
  std::string jwt_;
  std::int64_t iat_ = 0;
};

// One JWT signed ES256 with `key` (push/jws.hpp; exposed for tests of the format).
impulse::expected<std::string, std::string> sign_es256_jwt(evp_pkey_st* key, std::string_view header_json,
                                                            std::string_view claims_json);

}  // namespace impulse::delivery::apn
