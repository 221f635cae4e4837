// Implementation of delivery/http1/http1_tls.hpp.
#include "delivery/http1/http1_tls.hpp"

#include <openssl/x509.h>

namespace impulse::delivery::http1 {

Result<Http1TlsContextPtr> make_http1_tls_context(const Http1TlsOptions& options) {
  smtp::SmtpSettings tls;
  tls.tls_verify = options.verify ? smtp::TlsVerify::kHost : smtp::TlsVerify::kNo;
  tls.tls_ca = options.ca;
  tls.tls_certificate = options.certificate;
  tls.tls_key = options.key;
  auto made = smtp::make_tls_client_context(tls);
  if (!made) return unexpected(made.error());
  SSL_CTX* native = (*made)->get().native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (SSL_CTX_set_alpn_protos(native, kAlpn, sizeof kAlpn) != 0) return fail("cannot set ALPN http/1.1");
  return std::move(*made);
}

std::string check_http1_tls(SSL* ssl, bool verify, const std::string& host) {
  if (!verify) return {};
  switch (smtp::check_certificate(ssl, smtp::TlsVerify::kHost, {host})) {
    case smtp::CertificateCheck::kOk: return {};
    case smtp::CertificateCheck::kUntrusted: {
      if (SSL_get0_peer_certificate(ssl) == nullptr) return "certificate verify failed: no certificate";
      return std::string("certificate verify failed: ") + X509_verify_cert_error_string(SSL_get_verify_result(ssl));
    }
    case smtp::CertificateCheck::kNameMismatch: return "certificate does not match host " + host;
  }
  return "certificate verify failed";
}

}  // namespace impulse::delivery::http1
