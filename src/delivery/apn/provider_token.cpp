// Implementation of delivery/apn/provider_token.hpp.
#include "delivery/apn/provider_token.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "delivery/push/jws.hpp"

namespace impulse::delivery::apn {
namespace {

using push::openssl_error;

std::string json_string(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

}  // namespace

impulse::expected<std::string, std::string> sign_es256_jwt(evp_pkey_st* key, std::string_view header_json,
                                                            std::string_view claims_json) {
  return push::sign_jws(key, push::JwsAlgorithm::kEs256, header_json, claims_json);
}

ProviderToken::ProviderToken(std::shared_ptr<evp_pkey_st> key, std::string key_id, std::string team_id)
    : key_(std::move(key)), key_id_(std::move(key_id)), team_id_(std::move(team_id)) {}

impulse::expected<ProviderToken, std::string> ProviderToken::load(const std::string& key_file, std::string key_id,
                                                                  std::string team_id) {
  if (key_id.empty()) return impulse::unexpected(std::string("APN_Key_ID is empty"));
  if (team_id.empty()) return impulse::unexpected(std::string("APN_Team_ID is empty"));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_file.c_str(), "r"), BIO_free);
  if (!bio) return impulse::unexpected(openssl_error("cannot read APN_Key_File " + key_file));
  std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return impulse::unexpected(openssl_error("APN_Key_File " + key_file + " holds no PEM private key"));
  char group[64] = {};
  std::size_t group_len = 0;
  if (!EVP_PKEY_is_a(key.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_len) != 1 ||
      (std::string_view(group) != "prime256v1" && std::string_view(group) != "P-256")) {
    ERR_clear_error();
    return impulse::unexpected("APN_Key_File " + key_file + " is not an EC P-256 key (ES256)");
  }
  ProviderToken token(std::move(key), std::move(key_id), std::move(team_id));
  if (auto probe = token.sign(0); !probe) return impulse::unexpected(probe.error());
  return token;
}

impulse::expected<std::string, std::string> ProviderToken::sign(std::int64_t iat) const {
  const std::string header = R"({"alg":"ES256","kid":)" + json_string(key_id_) + "}";
  const std::string claims = R"({"iss":)" + json_string(team_id_) + R"(,"iat":)" + std::to_string(iat) + "}";
  return sign_es256_jwt(key_.get(), header, claims);
}

const std::string& ProviderToken::bearer(std::int64_t now_unix) {
  const bool stale = jwt_.empty() || now_unix - iat_ >= kRenewAfter.count() || now_unix < iat_;
  if (stale) {
    if (auto jwt = sign(now_unix)) {
      jwt_ = std::move(*jwt);
      iat_ = now_unix;
    }
  }
  return jwt_;
}

void ProviderToken::invalidate() {
  jwt_.clear();
  iat_ = 0;
}

}  // namespace impulse::delivery::apn
