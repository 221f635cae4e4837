// Implementation of queue/queue_options.hpp.
#include "queue/queue_options.hpp"

#include <algorithm>

#include "config/registry.hpp"

namespace impulse::queue {
namespace {

const config::OptionValue& get(const config::Config& c, const config::OutboundKey& k, std::string_view option) {
  return *c.resolve(k, option).value;
}

MaxRetries to_max_retries(std::int64_t v) {
  if (v == config::kRetriesNone) return MaxRetries::none();
  if (v < 0) return MaxRetries::automatic();
  return MaxRetries::limit(v);
}

}  // namespace

QueueOptions read_queue_options(const config::Config* config, const QueueKey& key) {
  QueueOptions o;
  if (!config) return o;
  const config::OutboundKey k{key.binding, key.domain};
  o.retry.retry_interval = std::chrono::seconds(get(*config, k, "retry_interval").as_int());
  o.retry.max_retry_interval = std::chrono::seconds(get(*config, k, "max_retry_interval").as_int());
  o.retry.max_retries = to_max_retries(get(*config, k, "max_retries").as_int());
  o.retry.message_expiration = std::chrono::seconds(get(*config, k, "message_expiration").as_int());
  o.retry.never_retry = get(*config, k, "never_retry").as_bool();
  o.never_attempt_expired = get(*config, k, "never_attempt_expired_messages").as_bool();
  o.suspend_delivery = get(*config, k, "suspend_delivery").as_bool();
  o.generate_bounces = get(*config, k, "generate_bounces").as_bool();
  o.inline_original = protocol::parse_inline_original(get(*config, k, "bounces_inline_original").as_string())
                          .value_or(protocol::InlineOriginal::kHeaders);
  o.mailerdaemon = get(*config, k, "mailerdaemon").as_string();
  o.delay_dsn_after = std::chrono::seconds(get(*config, k, "delay_dsn_retry_interval").as_int());
  o.generate_delay_dsn = get(*config, k, "generate_delay_dsn").as_bool();
  o.delivery_method = get(*config, k, "delivery_method").as_string();
  return o;
}

bool delivery_suspended(const config::Config* config, const QueueKey& key) {
  if (!config) return false;
  return get(*config, config::OutboundKey{key.binding, key.domain}, "suspend_delivery").as_bool();
}

std::chrono::seconds delayed_queue_scan_interval(const config::Config* config) {
  std::int64_t s = 15;
  if (config) s = config->global("delayed_queue_scan_interval").as_int();
  return std::chrono::seconds(std::max<std::int64_t>(s, 1));
}

std::string bounce_from(const QueueOptions& options, const std::string& hostname) {
  if (!options.mailerdaemon.empty()) return options.mailerdaemon;
  return "mailer-daemon@" + hostname;
}

}  // namespace impulse::queue
