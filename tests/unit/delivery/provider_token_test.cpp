// Tests for delivery/apn/provider_token.hpp: a real P-256 key written as a
// .p8-style PEM file; the JWT's header and claims are read back, and its
// raw r||s signature is checked with OpenSSL against the public half of the
// key (as APNs does); reuse, renewal at 40 minutes, invalidate(), and the
// keys load() refuses.
#include "delivery/apn/provider_token.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/strings.hpp"
#include "protocol/base64.hpp"

using impulse::delivery::apn::ProviderToken;

namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("impulse-jwt-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void write_private_pem(EVP_PKEY* key, const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "w"), BIO_free);
  ASSERT_TRUE(bio);
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);  // PKCS#8, like a .p8
}

// The public half only, through PEM, so the check cannot lean on the private key.
Pkey public_half(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> mem(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(mem.get(), key);
  return Pkey(PEM_read_bio_PUBKEY(mem.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
}

std::string unbase64url(std::string_view s) {
  std::string t(s);
  for (char& c : t) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (t.size() % 4 != 0) t += '=';
  auto out = impulse::protocol::decode_base64(t);
  EXPECT_TRUE(out) << s;
  return out.value_or("");
}

struct Jwt {
  boost::json::value header;
  boost::json::value claims;
  bool signature_ok = false;
  std::size_t signature_size = 0;
};

Jwt check(const std::string& jwt, EVP_PKEY* pub) {
  Jwt out;
  const auto parts = impulse::split(jwt, '.');
  EXPECT_EQ(parts.size(), 3u);
  if (parts.size() != 3) return out;
  for (auto p : parts) EXPECT_EQ(p.find('='), std::string_view::npos);  // unpadded
  out.header = boost::json::parse(unbase64url(parts[0]));
  out.claims = boost::json::parse(unbase64url(parts[1]));
  const std::string raw = unbase64url(parts[2]);
  out.signature_size = raw.size();
  if (raw.size() != 64) return out;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  const std::string signing_input = std::string(parts[0]) + "." + std::string(parts[1]);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub);
  out.signature_ok = EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                                      reinterpret_cast<const unsigned char*>(signing_input.data()),
                                      signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return out;
}

class ProviderTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_.reset(EVP_EC_gen("P-256"));
    ASSERT_TRUE(key_);
    write_private_pem(key_.get(), dir_.file("AuthKey_ABC123DEFG.p8"));
    pub_ = public_half(key_.get());
    ASSERT_TRUE(pub_);
  }
  std::string key_file() const { return dir_.file("AuthKey_ABC123DEFG.p8"); }

  TempDir dir_;
  Pkey key_{nullptr, EVP_PKEY_free};
  Pkey pub_{nullptr, EVP_PKEY_free};
};

}  // namespace

TEST_F(ProviderTokenTest, SignsAnEs256JwtApnsCanVerify) {
  auto token = ProviderToken::load(key_file(), "ABC123DEFG", "DEF123GHIJ");
  ASSERT_TRUE(token) << token.error();
  const std::string jwt = token->bearer(1'800'000'000);
  const Jwt j = check(jwt, pub_.get());
  EXPECT_EQ(j.signature_size, 64u);  // raw r||s, not DER
  EXPECT_TRUE(j.signature_ok);
  EXPECT_EQ(boost::json::serialize(j.header), R"({"alg":"ES256","kid":"ABC123DEFG"})");
  EXPECT_EQ(boost::json::serialize(j.claims), R"({"iss":"DEF123GHIJ","iat":1800000000})");
}

TEST_F(ProviderTokenTest, ASignatureFromAnotherKeyDoesNotVerify) {
  auto token = ProviderToken::load(key_file(), "ABC123DEFG", "DEF123GHIJ");
  ASSERT_TRUE(token);
  Pkey other(EVP_EC_gen("P-256"), EVP_PKEY_free);
  EXPECT_FALSE(check(token->bearer(1'800'000'000), public_half(other.get()).get()).signature_ok);
}

TEST_F(ProviderTokenTest, ReusedUntilFortyMinutesThenRenewed) {
  auto token = ProviderToken::load(key_file(), "ABC123DEFG", "DEF123GHIJ");
  ASSERT_TRUE(token);
  const std::int64_t t0 = 1'800'000'000;
  const std::string first = token->bearer(t0);
  EXPECT_EQ(token->bearer(t0 + 60), first);
  EXPECT_EQ(token->bearer(t0 + 40 * 60 - 1), first);
  EXPECT_EQ(token->issued_at(), t0);
  const std::string second = token->bearer(t0 + 40 * 60);
  EXPECT_NE(second, first);
  EXPECT_EQ(token->issued_at(), t0 + 40 * 60);
  const Jwt j = check(second, pub_.get());
  EXPECT_TRUE(j.signature_ok);
  EXPECT_EQ(j.claims.at("iat").as_int64(), t0 + 40 * 60);
}

TEST_F(ProviderTokenTest, InvalidateRenewsAtTheNextBearer) {
  auto token = ProviderToken::load(key_file(), "ABC123DEFG", "DEF123GHIJ");
  ASSERT_TRUE(token);
  const std::int64_t t0 = 1'800'000'000;
  const std::string first = token->bearer(t0);
  token->invalidate();
  const std::string renewed = token->bearer(t0 + 5);
  EXPECT_NE(renewed, first);
  EXPECT_EQ(check(renewed, pub_.get()).claims.at("iat").as_int64(), t0 + 5);
  EXPECT_EQ(token->bearer(t0 + 6), renewed);
}

TEST_F(ProviderTokenTest, KeyAndTeamIdsAreJsonEscaped) {
  auto token = ProviderToken::load(key_file(), "K\"1", "T\\2");
  ASSERT_TRUE(token);
  const Jwt j = check(token->bearer(1), pub_.get());
  EXPECT_EQ(j.header.at("kid").as_string(), "K\"1");
  EXPECT_EQ(j.claims.at("iss").as_string(), "T\\2");
}

TEST_F(ProviderTokenTest, LoadRefusesWhatCannotSignEs256) {
  auto missing = ProviderToken::load(dir_.file("nope.p8"), "K", "T");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot read APN_Key_File"), std::string::npos);

  std::ofstream(dir_.file("garbage.p8")) << "not a key\n";
  EXPECT_FALSE(ProviderToken::load(dir_.file("garbage.p8"), "K", "T"));

  Pkey p384(EVP_EC_gen("P-384"), EVP_PKEY_free);
  write_private_pem(p384.get(), dir_.file("p384.p8"));
  auto wrong_curve = ProviderToken::load(dir_.file("p384.p8"), "K", "T");
  ASSERT_FALSE(wrong_curve);
  EXPECT_NE(wrong_curve.error().find("not an EC P-256 key"), std::string::npos);

  Pkey rsa(EVP_RSA_gen(2048), EVP_PKEY_free);
  write_private_pem(rsa.get(), dir_.file("rsa.p8"));
  EXPECT_FALSE(ProviderToken::load(dir_.file("rsa.p8"), "K", "T"));

  EXPECT_FALSE(ProviderToken::load(key_file(), "", "T"));
  EXPECT_FALSE(ProviderToken::load(key_file(), "K", ""));
}
