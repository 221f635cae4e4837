// Implementation of inbound/tls_context.hpp.
#include "inbound/tls_context.hpp"

#include <openssl/ssl.h>

namespace impulse::inbound {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const std::string& certificate_file,
                                                              const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::single_dh_use,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  ctx->use_certificate_chain_file(certificate_file, ec);
  if (ec) return fail("TLS_Certificate " + certificate_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return fail("TLS_Key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return fail("TLS_Key " + key_file + ": does not match TLS_Certificate " + certificate_file);
  return ctx;
}

}  // namespace impulse::inbound
