// Implementation of delivery/gcm/oauth_signer.hpp.
#include "delivery/gcm/oauth_signer.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "delivery/push/jws.hpp"
#include "protocol/oauth_token.hpp"

namespace impulse::delivery::gcm {

using push::openssl_error;

impulse::expected<std::string, std::string> sign_rs256_jwt(evp_pkey_st* key, std::string_view header_json,
                                                            std::string_view claims_json) {
  return push::sign_jws(key, push::JwsAlgorithm::kRs256, header_json, claims_json);
}

OAuthSigner::OAuthSigner(std::shared_ptr<evp_pkey_st> key, const protocol::ServiceAccount& account)
    : key_(std::move(key)),
      client_email_(account.client_email),
      key_id_(account.private_key_id),
      audience_(account.token_uri) {}

impulse::expected<OAuthSigner, std::string> OAuthSigner::load(const protocol::ServiceAccount& account) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(account.private_key.data(), static_cast<int>(account.private_key.size())), BIO_free);
  if (!bio) return impulse::unexpected(openssl_error("cannot read the service account's private_key"));
  std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return impulse::unexpected(openssl_error("the service account's private_key is not a PEM private key"));
  if (!EVP_PKEY_is_a(key.get(), "RSA")) {
    ERR_clear_error();
    return impulse::unexpected(std::string("the service account's private_key is not an RSA key (RS256)"));
  }
  OAuthSigner signer(std::move(key), account);
  if (auto probe = signer.assertion(0); !probe) return impulse::unexpected(probe.error());
  return signer;
}

impulse::expected<std::string, std::string> OAuthSigner::assertion(std::int64_t now_unix) const {
  return sign_rs256_jwt(key_.get(), protocol::jwt_rs256_header(key_id_),
                        protocol::jwt_bearer_claims(client_email_, protocol::kFcmScope, audience_, now_unix));
}

}  // namespace impulse::delivery::gcm
