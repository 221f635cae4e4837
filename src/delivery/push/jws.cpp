// Implementation of delivery/push/jws.hpp.
#include "delivery/push/jws.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "protocol/base64url.hpp"

namespace impulse::delivery::push {

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

namespace {

// OpenSSL's DER ECDSA signature as JWS wants it: r || s, 32 bytes each.
impulse::expected<std::string, std::string> es256_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())),
                                                            ECDSA_SIG_free);
  if (!sig) return impulse::unexpected(openssl_error("unreadable ECDSA signature"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  unsigned char raw[64];
  if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32)
    return impulse::unexpected(std::string("ECDSA signature does not fit P-256"));
  return std::string(reinterpret_cast<const char*>(raw), sizeof raw);
}

}  // namespace

impulse::expected<std::string, std::string> sign_jws(evp_pkey_st* key, JwsAlgorithm algorithm,
                                                     std::string_view header_json, std::string_view claims_json) {
  const std::string name = algorithm == JwsAlgorithm::kEs256 ? "ES256" : "RS256";
  const std::string signing_input =
      protocol::encode_base64url(header_json) + "." + protocol::encode_base64url(claims_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return impulse::unexpected(openssl_error("cannot start an " + name + " signature"));
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, signing_input.size()) != 1)
    return impulse::unexpected(openssl_error("cannot size the " + name + " signature"));
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, in, signing_input.size()) != 1)
    return impulse::unexpected(openssl_error(name + " signature failed"));
  signature.resize(len);
  if (algorithm == JwsAlgorithm::kEs256) {
    auto raw = es256_raw(signature);
    if (!raw) return impulse::unexpected(raw.error());
    signature = std::move(*raw);
  }
  return signing_input + "." + protocol::encode_base64url(signature);
}

}  // namespace impulse::delivery::push
