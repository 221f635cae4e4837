// TLS for the HTTP/2 client: the OpenSSL client context (TLS 1.2 or later,
// ALPN "h2", optional client certificate) and the checks after the
// handshake (ALPN chose h2; the certificate chains to tls_ca or the system
// store and names the route host). SPEC §11 "Secure by default": push
// verifies unless tls_verify = no; RFC 9113 §3.2 (h2 over TLS via ALPN),
// RFC 6125 (names). Reuses the SMTP client's context builder and
// certificate check (delivery/smtp/tls_client.hpp) and adds what HTTP/2
// needs.
//
// Leaves to others: when to connect and what a failure means for a
// delivery (the transports). A built context is read-only and shared by the
// connections of a loop. Building fails as a value naming the file that
// could not be loaded. Internal to src/delivery (includes OpenSSL).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "base/error.hpp"
#include "delivery/smtp/tls_client.hpp"

namespace impulse::delivery::http2 {

struct Http2TlsOptions {
  bool verify = true;           // tls_verify != no
  std::string ca;               // tls_ca; "" = the system store
  std::string certificate;      // tls_certificate (client certificate); "" = none
  std::string key;              // tls_key; "" = in the certificate file
};

using TlsContextPtr = std::shared_ptr<const smtp::TlsClientContext>;

Result<TlsContextPtr> make_http2_tls_context(const Http2TlsOptions& options);

// After the handshake: "" when the session may be used, else why not
// ("server did not select h2 by ALPN", "certificate verify failed: ...",
// "certificate does not match host api.push.apple.com").
std::string check_http2_tls(SSL* ssl, bool verify, const std::string& host);

}  // namespace impulse::delivery::http2
