// Implementation of delivery/smtp/tls_client.hpp.
#include "delivery/smtp/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>

#include "delivery/smtp/dane_tls.hpp"

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

bool is_ip_literal(const std::string& name) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
  if (!ip) return false;
  ASN1_OCTET_STRING_free(ip);
  return true;
}

}  // namespace

Result<std::shared_ptr<const TlsClientContext>> make_tls_client_context(const SmtpSettings& settings) {
  namespace ssl = boost::asio::ssl;
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);

  if (settings.tls_verify != TlsVerify::kNo) {
    if (!settings.tls_ca.empty()) {
      if (SSL_CTX_load_verify_locations(native, settings.tls_ca.c_str(), nullptr) != 1) {
        return fail("tls_ca \"" + settings.tls_ca + "\": " + openssl_reason());
      }
    } else if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return fail("default CA paths: " + openssl_reason());
    }
  }
  const bool has_certificate = !settings.tls_certificate.empty() && settings.tls_certificate != "none";
  if (has_certificate) {
    if (SSL_CTX_use_certificate_chain_file(native, settings.tls_certificate.c_str()) != 1) {
      return fail("tls_certificate \"" + settings.tls_certificate + "\": " + openssl_reason());
    }
    const std::string& key = settings.tls_key.empty() ? settings.tls_certificate : settings.tls_key;
    if (SSL_CTX_use_PrivateKey_file(native, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return fail("tls_key \"" + key + "\": " + openssl_reason());
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      return fail("tls_key \"" + key + "\" does not match tls_certificate \"" + settings.tls_certificate + "\"");
    }
  }
  if (!settings.tls_ciphers.empty() && SSL_CTX_set_cipher_list(native, settings.tls_ciphers.c_str()) != 1) {
    return fail("tls_ciphers \"" + settings.tls_ciphers + "\": " + openssl_reason());
  }
  // DANE (RFC 7672): lets a connection take TLSA records (SSL_dane_enable,
  // dane_tls.hpp); a connection without them is not affected.
  if (auto dane = enable_dane(native); !dane) return fail(dane.error().message);
  return std::make_shared<const TlsClientContext>(std::move(ctx));
}

CertificateCheck check_certificate(SSL* ssl, TlsVerify verify, const std::vector<std::string>& names) {
  if (verify == TlsVerify::kNo || ssl == nullptr) return CertificateCheck::kOk;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return CertificateCheck::kUntrusted;
  if (verify == TlsVerify::kCa) return CertificateCheck::kOk;
  for (const auto& name : names) {
    if (name.empty()) continue;
    const int match = is_ip_literal(name) ? X509_check_ip_asc(cert, name.c_str(), 0)
                                          : X509_check_host(cert, name.data(), name.size(), 0, nullptr);
    if (match == 1) return CertificateCheck::kOk;
  }
  return CertificateCheck::kNameMismatch;
}

}  // namespace impulse::delivery::smtp
