// TLS for the HTTP/1.1 client: the OpenSSL client context (TLS 1.2 or later,
// ALPN "http/1.1", optional client certificate) and the check after the
// handshake (the certificate chains to tls_ca or the system store and names
// the host). SPEC §11 "Secure by default": verification is on unless
// tls_verify = no. RFC 6125 for names. Reuses the SMTP client's context
// builder and certificate check (delivery/smtp/tls_client.hpp).
//
// Leaves to others: when to connect, what a failure means for a delivery
// (the transports). A built context is read-only and may be shared by the
// connections of a loop. Building fails as a value naming the file that
// could not be loaded. Internal to src/delivery (includes OpenSSL).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "base/error.hpp"
#include "delivery/smtp/tls_client.hpp"

namespace impulse::delivery::http1 {

struct Http1TlsOptions {
  bool verify = true;       // tls_verify != no
  std::string ca = {};           // tls_ca; "" = the system store
  std::string certificate = {};  // tls_certificate (client certificate); "" = none
  std::string key = {};          // tls_key; "" = in the certificate file
};

using Http1TlsContextPtr = std::shared_ptr<const smtp::TlsClientContext>;

Result<Http1TlsContextPtr> make_http1_tls_context(const Http1TlsOptions& options);

// After the handshake: "" when the connection may be used, else why not
// ("certificate verify failed: ...", "certificate does not match host mmsc.example").
std::string check_http1_tls(SSL* ssl, bool verify, const std::string& host);

}  // namespace impulse::delivery::http1
