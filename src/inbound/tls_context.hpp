// make_server_tls_context: the OpenSSL server context for a listener's
// STARTTLS (RFC 3207), from its TLS_Certificate (PEM chain) and TLS_Key
// (PEM). TLS 1.2 or newer, no renegotiation. Built once at listener open;
// the context is then only read (SSL_new per connection), from any loop.
// Fails (as a value) with a one-line reason naming the file when a file is
// missing or unreadable or the key does not match the certificate.
// Internal to src/inbound (includes Asio's SSL headers).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "base/error.hpp"

namespace impulse::inbound {

Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const std::string& certificate_file,
                                                                          const std::string& key_file);

}  // namespace impulse::inbound
