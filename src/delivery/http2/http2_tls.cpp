// Implementation of delivery/http2/http2_tls.hpp.
#include "delivery/http2/http2_tls.hpp"

#include <openssl/x509.h>

namespace impulse::delivery::http2 {

Result<TlsContextPtr> make_http2_tls_context(const Http2TlsOptions& options) {
  smtp::SmtpSettings tls;
  tls.tls_verify = options.verify ? smtp::TlsVerify::kHost : smtp::TlsVerify::kNo;
  tls.tls_ca = options.ca;
  tls.tls_certificate = options.certificate;
  tls.tls_key = options.key;
  auto made = smtp::make_tls_client_context(tls);
  if (!made) return unexpected(made.error());
  SSL_CTX* native = (*made)->get().native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  if (SSL_CTX_set_alpn_protos(native, kAlpn, sizeof kAlpn) != 0) return fail("cannot set ALPN h2");
  return std::move(*made);
}

std::string check_http2_tls(SSL* ssl, bool verify, const std::string& host) {
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn_len != 2 || alpn[0] != 'h' || alpn[1] != '2') return "server did not select h2 by ALPN";
  if (!verify) return {};
  switch (smtp::check_certificate(ssl, smtp::TlsVerify::kHost, {host})) {
    case smtp::CertificateCheck::kOk: return {};
    case smtp::CertificateCheck::kUntrusted: {
      const long result = SSL_get_verify_result(ssl);
      if (SSL_get0_peer_certificate(ssl) == nullptr) return "certificate verify failed: no certificate";
      return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
    }
    case smtp::CertificateCheck::kNameMismatch: return "certificate does not match host " + host;
  }
  return "certificate verify failed";
}

}  // namespace impulse::delivery::http2
