// Implementation of delivery/smtp/tls_context_cache.hpp.
#include "delivery/smtp/tls_context_cache.hpp"

#include "delivery/smtp/tls_client.hpp"

namespace impulse::delivery::smtp {

std::shared_ptr<const TlsClientContext> TlsContextCache::get(const config::ConfigPtr& config,
                                                             const SmtpSettings& tls) {
  if (config != config_) {
    contexts_.clear();
    config_ = config;
  }
  std::string key = tls.tls_ca;
  for (const std::string* part : {&tls.tls_certificate, &tls.tls_key, &tls.tls_ciphers}) {
    key += '\0';
    key += *part;
  }
  key += static_cast<char>('0' + static_cast<int>(tls.tls_verify));
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  std::shared_ptr<const TlsClientContext> built;
  if (auto made = make_tls_client_context(tls)) built = std::move(*made);
  contexts_.emplace(std::move(key), built);
  return built;
}

}  // namespace impulse::delivery::smtp
