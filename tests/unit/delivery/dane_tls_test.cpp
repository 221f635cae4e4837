// Unit tests for delivery/smtp/dane_tls.hpp: a real OpenSSL handshake over
// memory BIOs against a self-signed certificate made in the test, with
// DANE-EE (3 1 1) records that match or do not, and the usable filter.
#include "delivery/smtp/dane_tls.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <memory>

namespace impulse::delivery::smtp {
namespace {

struct Peer {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  Peer() {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mx.dane.test"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
  }
  ~Peer() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  // 3 1 1: SHA-256 of the SubjectPublicKeyInfo.
  dns::TlsaRecord spki_sha256() const {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    dns::TlsaRecord r{3, 1, 1, std::vector<std::uint8_t>(32)};
    SHA256(der, static_cast<std::size_t>(len), r.data.data());
    OPENSSL_free(der);
    return r;
  }
};

// Runs a client/server handshake in memory; returns whether the client
// finished it and leaves `client` for inspection.
bool handshake(SSL* client, SSL* server) {
  BIO* c_bio = nullptr;
  BIO* s_bio = nullptr;
  BIO_new_bio_pair(&c_bio, 0, &s_bio, 0);
  SSL_set_bio(client, c_bio, c_bio);
  SSL_set_bio(server, s_bio, s_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  bool c_done = false, s_done = false;
  for (int i = 0; i < 100 && !(c_done && s_done); ++i) {
    if (!c_done) {
      const int rc = SSL_do_handshake(client);
      if (rc == 1) c_done = true;
      else if (SSL_get_error(client, rc) != SSL_ERROR_WANT_READ) return false;
    }
    if (!s_done) {
      const int rc = SSL_do_handshake(server);
      if (rc == 1) s_done = true;
      else if (SSL_get_error(server, rc) != SSL_ERROR_WANT_READ) return false;
    }
  }
  return c_done;
}

class DaneTls : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ctx_ = SSL_CTX_new(TLS_server_method());
    ASSERT_EQ(SSL_CTX_use_certificate(server_ctx_, peer_.cert), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(server_ctx_, peer_.key), 1);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_NONE, nullptr);
    ASSERT_TRUE(enable_dane(client_ctx_));
    ASSERT_TRUE(enable_dane(client_ctx_));  // idempotent
    client_ = SSL_new(client_ctx_);
    server_ = SSL_new(server_ctx_);
  }
  void TearDown() override {
    SSL_free(client_);
    SSL_free(server_);
    SSL_CTX_free(client_ctx_);
    SSL_CTX_free(server_ctx_);
  }
  Peer peer_;
  SSL_CTX* server_ctx_ = nullptr;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* client_ = nullptr;
  SSL* server_ = nullptr;
};

TEST_F(DaneTls, MatchingDaneEeRecordVerifiesASelfSignedCertificate) {
  auto added = add_dane_records(client_, {"mx.dane.test"}, {peer_.spki_sha256()});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, 1u);
  ASSERT_TRUE(handshake(client_, server_));
  EXPECT_TRUE(dane_verified(client_));
}

TEST_F(DaneTls, DaneEeIgnoresTheName) {
  ASSERT_TRUE(add_dane_records(client_, {"other.name.test"}, {peer_.spki_sha256()}));
  ASSERT_TRUE(handshake(client_, server_));
  EXPECT_TRUE(dane_verified(client_));
}

TEST_F(DaneTls, MismatchingRecordDoesNotVerify) {
  auto wrong = peer_.spki_sha256();
  wrong.data[0] ^= 0xff;
  ASSERT_TRUE(add_dane_records(client_, {"mx.dane.test"}, {wrong}));
  ASSERT_TRUE(handshake(client_, server_));  // SSL_VERIFY_NONE: the decision is ours
  EXPECT_FALSE(dane_verified(client_));
}

TEST_F(DaneTls, UnusableRecordsAreNotAdded) {
  dns::TlsaRecord pkix_ee{1, 1, 1, std::vector<std::uint8_t>(32, 1)};
  dns::TlsaRecord bad_mtype{3, 1, 9, std::vector<std::uint8_t>(32, 1)};
  EXPECT_FALSE(usable_tlsa(pkix_ee));
  EXPECT_FALSE(usable_tlsa(bad_mtype));
  EXPECT_TRUE(usable_tlsa(peer_.spki_sha256()));
  auto added = add_dane_records(client_, {"mx.dane.test"}, {pkix_ee, bad_mtype});
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, 0u);
}

TEST_F(DaneTls, NeedsAName) { EXPECT_FALSE(add_dane_records(client_, {}, {peer_.spki_sha256()})); }

}  // namespace
}  // namespace impulse::delivery::smtp

