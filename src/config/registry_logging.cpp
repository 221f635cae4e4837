// Option table: module stanzas (SPEC §8; reference/momentum.md §10):
// ec_logger (mainlog, paniclog, ...), bounce_logger (bouncelog),
// json_logger and webhook (SPEC §17), and the options every module accepts
// (enabled, debug_level).
#include "config/registry.hpp"
#include "protocol/dkim_names.hpp"

namespace impulse::config {

std::vector<OptionDef> logging_options() {
  using namespace opt;
  constexpr ScopeSet kNone = 0;
  const std::vector<std::string_view> kEc = {"ec_logger"};
  const std::vector<std::string_view> kBounce = {"bounce_logger"};
  const std::vector<std::string_view> kBoth = {"bounce_logger", "ec_logger"};
  const std::vector<std::string_view> kDkim = {"opendkim", "dkim_domain"};
  constexpr std::string_view protocol_default_headers = protocol::kDkimDefaultHeaders;
  return {
      in_modules(boolean("enabled", "true", kNone), {"*"}),
      in_modules(text("debug_level", "", kNone), {"*"}),
      in_modules(path("mainlog", "/var/log/ecelerity/mainlog.ec", kNone), kEc),
      in_modules(path("paniclog", "/var/log/ecelerity/paniclog.ec", kNone), kEc),
      in_modules(path("rejectlog", "/var/log/ecelerity/rejectlog.ec", kNone), kEc),
      in_modules(path("acctlog", "/var/log/ecelerity/acctlog.ec", kNone), kEc),
      in_modules(mode("mainlog_mode", "0644", kNone), kEc),
      in_modules(mode("paniclog_mode", "0644", kNone), kEc),
      in_modules(mode("rejectlog_mode", "0644", kNone), kEc),
      in_modules(mode("acctlog_mode", "0644", kNone), kEc),
      in_modules(boolean("log_receptions", "true", kNone), kEc),
      in_modules(boolean("log_deliveries", "true", kNone), kEc),
      in_modules(boolean("log_permanent_failures", "true", kNone), kEc),
      in_modules(boolean("log_rejections", "true", kNone), kEc),
      in_modules(boolean("log_errors", "true", kNone), kEc),
      in_modules(boolean("log_transient_failures", "true", kNone), kBoth),
      in_modules(seconds("heartbeat", "60", kNone), kBoth),
      in_modules(path("bouncelog", "/var/log/ecelerity/bouncelog.ec", kNone), kBoth),
      in_modules(mode("bouncelog_mode", "0644", kNone), kBounce),
      in_modules(boolean("log_inband_bounces", "true", kNone), kBounce),
      in_modules(boolean("log_outofband_bounces", "true", kNone), kBounce),
      // The JSON event log and webhooks (SPEC §17; max_retry_interval
      // (registry_queue.cpp) and tls_ca (registry_delivery.cpp) are also
      // valid in webhook stanzas).
      in_modules(path("logfile", "", kNone), {"json_logger"}),
      in_modules(mode("logfile_mode", "0644", kNone), {"json_logger"}),
      in_modules(text("url", "", kNone), {"webhook"}),
      in_modules(make("events", OptionType::StringList, "", kNone), {"webhook"}),
      in_modules(integer("batch_size", "100", 1, 100000, kNone), {"webhook"}),
      in_modules(seconds("batch_interval", "5", kNone), {"webhook"}),
      in_modules(text("auth_token", "", kNone), {"webhook"}),
      in_modules(size("max_backlog_size", "1G", kNone), {"webhook"}),
      in_modules(path("spool_directory", "", kNone), {"webhook"}),
      // DKIM signing (SPEC §19): the opendkim module, its dkim_domain
      // stanzas (which override it), and opendkim_sign (config/dkim_checks.cpp).
      in_modules(one_of("header_canon", "relaxed", {"relaxed", "simple"}, kNone), kDkim),
      in_modules(one_of("body_canon", "relaxed", {"relaxed", "simple"}, kNone), kDkim),
      in_modules(make("headerlist", OptionType::StringList, protocol_default_headers, kNone), kDkim),
      in_modules(one_of("digest", "rsa-sha256", {"rsa-sha256", "ed25519-sha256"}, kNone), kDkim),
      in_modules(path("key", "", kNone), kDkim),
      in_modules(text("selector", "", kNone), kDkim),
      in_modules(boolean("opendkim_sign", "false", ScopeKind::Global | ScopeKind::BindingGroup | ScopeKind::Binding),
                 {"dkim_domain"}),
  };
}

}  // namespace impulse::config
