// The SMTP client's TLS: building the OpenSSL client context from the
// outbound TLS options, and judging the server's certificate after the
// handshake (reference/momentum.md §3 tls_verify, tls_ca,
// tls_certificate/tls_key, tls_ciphers; RFC 3207; RFC 6125 for names).
//
// The handshake itself never fails on the certificate (SSL_VERIFY_NONE):
// OpenSSL still verifies the chain against tls_ca (or the system's default
// CA paths when tls_ca is empty) and records the result, and
// check_certificate() decides afterwards, so each failure gets Momentum's
// own text: "SSL cert must be signed by a valid CA" (chain) or "SSL cert
// common name does not match host" (tls_verify = host: no subjectAltName /
// CN matches the MX host name or the domain; IP literals match IP SANs).
// tls_verify = optional runs the checks and delivers anyway.
//
// Leaves to others: when to start TLS and what a failure means for the
// delivery (smtp_connection, session_outcome). A built context is read-only
// and may be shared by connections on any thread. Building fails (as a
// value) with a one-line reason naming the file when tls_ca,
// tls_certificate or tls_key cannot be loaded or the cipher list is bad.
// Internal to src/delivery (includes Asio's SSL headers).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "delivery/smtp/smtp_settings.hpp"

namespace impulse::delivery::smtp {

class TlsClientContext {
 public:
  explicit TlsClientContext(boost::asio::ssl::context context) : context_(std::move(context)) {}
  // Asio's handshake takes a non-const context; OpenSSL's SSL_CTX is only
  // read once built (SSL_new), so sharing it is safe.
  boost::asio::ssl::context& get() const { return context_; }

 private:
  mutable boost::asio::ssl::context context_;
};

Result<std::shared_ptr<const TlsClientContext>> make_tls_client_context(const SmtpSettings& settings);

enum class CertificateCheck { kOk, kUntrusted, kNameMismatch };

// `names`: the acceptable server names (MX host, domain), IP literals allowed.
CertificateCheck check_certificate(SSL* ssl, TlsVerify verify, const std::vector<std::string>& names);

}  // namespace impulse::delivery::smtp
