// Option table: queues, retries, expiry, bounces and the spool (SPEC §5;
// reference/momentum.md §7).
#include "config/registry.hpp"

namespace impulse::config {

std::vector<OptionDef> queue_options() {
  using namespace opt;
  using T = OptionType;
  return {
      seconds("retry_interval", "1200", kOutbound),
      // Also a webhook's retry cap (SPEC §17), where unset means 300 s.
      in_modules(seconds("max_retry_interval", "43200", kOutbound), {"webhook"}),
      make("max_retries", T::Retries, "auto", kOutbound),
      seconds("message_expiration", "86400", kOutbound),
      boolean("never_retry", "false", kOutbound),
      boolean("never_attempt_expired_messages", "false", kOutbound),
      seconds("delayed_queue_scan_interval", "15", kGlobal),
      // Bounces. mailerdaemon unset = mailer-daemon@<host name>.
      boolean("generate_bounces", "true", kOutbound),
      one_of("bounces_inline_original", "headers", {"none", "headers", "all"}, kOutbound),
      text("mailerdaemon", "", kOutbound),
      text("mdn_failures_notify", "", kOutbound),
      // DSN delay warnings (SPEC §19; Momentum's delay_dsn): one warning once a
      // recipient is still queued this long after reception, for NOTIFY=DELAY,
      // and for recipients without NOTIFY when generate_delay_dsn is true.
      boolean("generate_delay_dsn", "false", kOutbound),
      seconds("delay_dsn_retry_interval", "3600", kOutbound),
      // Spool (needs a restart to change).
      restart_only(path("spoolbase", "/var/spool/ecelerity", kGlobal)),
      restart_only(mode("spool_mode", "0640", kGlobal)),
  };
}

}  // namespace impulse::config
