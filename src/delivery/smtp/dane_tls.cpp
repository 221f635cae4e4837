// Implementation of delivery/smtp/dane_tls.hpp.
#include "delivery/smtp/dane_tls.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

namespace impulse::delivery::smtp {
namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

Result<void> enable_dane(SSL_CTX* ctx) {
  if (SSL_CTX_dane_enable(ctx) <= 0) return fail("SSL_CTX_dane_enable: " + openssl_reason());
  return {};
}

bool usable_tlsa(const dns::TlsaRecord& record) {
  return (record.usage == 2 || record.usage == 3) && record.selector <= 1 && record.matching_type <= 2 &&
         !record.data.empty();
}

Result<std::size_t> add_dane_records(SSL* ssl, const std::vector<std::string>& names,
                                     const std::vector<dns::TlsaRecord>& records) {
  if (names.empty() || names.front().empty()) return fail("DANE needs a host name");
  if (SSL_dane_enable(ssl, names.front().c_str()) <= 0) return fail("SSL_dane_enable: " + openssl_reason());
  // RFC 7672 §3.2.1: a DANE-EE match authenticates the key, whatever names it carries.
  SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (!names[i].empty() && SSL_add1_host(ssl, names[i].c_str()) != 1)
      return fail("SSL_add1_host: " + openssl_reason());
  }
  std::size_t added = 0;
  for (const auto& record : records) {
    if (!usable_tlsa(record)) continue;
    // > 0 added, 0 unusable (skipped), < 0 error.
    const int rc = SSL_dane_tlsa_add(ssl, record.usage, record.selector, record.matching_type,
                                     record.data.data(), record.data.size());
    if (rc < 0) return fail("SSL_dane_tlsa_add: " + openssl_reason());
    if (rc > 0) ++added;
  }
  ERR_clear_error();
  return added;
}

bool dane_verified(SSL* ssl) {
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return false;
  return SSL_get0_dane_authority(ssl, nullptr, nullptr) >= 0;
}

}  // namespace impulse::delivery::smtp
