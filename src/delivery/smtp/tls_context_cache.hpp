// TlsContextCache: one client TLS context per set of TLS options (tls_ca,
// tls_certificate, tls_key, tls_ciphers, tls_verify) and configuration
// snapshot, shared by every queue of one loop's transport. The SMTP and the
// ECSTREAM transports each keep one; a new snapshot empties it.
//
// Leaves to others: building a context (tls_client's
// make_tls_client_context) and reporting why it could not be built: a
// context that fails to build is cached as null, and each connection then
// builds it itself and reports the reason.
// Threads: one loop's thread (the owning transport's); no lock.
// Failures: none of its own.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "delivery/smtp/smtp_settings.hpp"

namespace impulse::delivery::smtp {

class TlsClientContext;

class TlsContextCache {
 public:
  // The context for `tls`'s TLS options under `config` (null if it cannot be built).
  std::shared_ptr<const TlsClientContext> get(const config::ConfigPtr& config, const SmtpSettings& tls);

 private:
  config::ConfigPtr config_;
  std::map<std::string, std::shared_ptr<const TlsClientContext>> contexts_;
};

}  // namespace impulse::delivery::smtp
