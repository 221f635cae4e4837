// Implementation of delivery/gcm/oauth_signer.hpp.
#include "delivery/gcm/oauth_signer.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "protocol/base64url.hpp"
#include "protocol/oauth_token.hpp"

namespace impulse::delivery::gcm {
namespace {

std::string openssl_error(std::string_view what) {
  std::string out(what);
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

}  // namespace

impulse::expected<std::string, std::string> sign_rs256_jwt(evp_pkey_st* key, std::string_view header_json,
                                                            std::string_view claims_json) {
  const std::string signing_input =
      protocol::encode_base64url(header_json) + "." + protocol::encode_base64url(claims_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return impulse::unexpected(openssl_error("cannot start an RS256 signature"));
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, signing_input.size()) != 1)
    return impulse::unexpected(openssl_error("cannot size the RS256 signature"));
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, signing_input.size()) != 1)
    return impulse::unexpected(openssl_error("RS256 signature failed"));
  sig.resize(len);
  return signing_input + "." + protocol::encode_base64url(sig);
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
