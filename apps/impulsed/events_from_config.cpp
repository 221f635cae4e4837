// Implementation of events_from_config.hpp.
#include "events_from_config.hpp"

#include "config/config_impl.hpp"
#include "config/module_instances.hpp"
#include "config/registry.hpp"

namespace impulse::daemon {

namespace {

constexpr std::chrono::seconds kWebhookMaxRetryInterval{300};  // SPEC §17 default

impulse::expected<log::WebhookOptions, std::string> webhook_from(const config::Config& cfg, const std::string& name) {
  auto opt = [&](std::string_view option) -> const config::OptionValue& {
    if (const auto* v = config::module_instance_option(cfg, "webhook", name, option)) return *v;
    return config::registry().find(option)->default_value;
  };
  auto is_set = [&](std::string_view option) {
    return config::module_instance_option(cfg, "webhook", name, option) != nullptr;
  };
  log::WebhookOptions w;
  w.name = name;
  w.url = opt("url").as_string();
  if (w.url.empty()) return impulse::unexpected("webhook \"" + name + "\": url is not set");
  const auto& events = opt("events").as_list();
  if (!events.empty()) {
    w.events = 0;
    for (const auto& e : events) {
      auto t = log::parse_event_type(e);
      if (!t) return impulse::unexpected("webhook \"" + name + "\": unknown event type '" + e + "'");
      w.events |= log::event_bit(*t);
    }
  }
  w.batch_size = static_cast<std::size_t>(opt("batch_size").as_int());
  w.batch_interval = std::chrono::seconds(opt("batch_interval").as_int());
  w.auth_token = opt("auth_token").as_string();
  w.max_retry_interval =
      is_set("max_retry_interval") ? std::chrono::seconds(opt("max_retry_interval").as_int()) : kWebhookMaxRetryInterval;
  w.ca_file = opt("tls_ca").as_string();
  w.queue.max_bytes = static_cast<std::uint64_t>(opt("max_backlog_size").as_int());
  w.queue.directory = opt("spool_directory").as_string();
  if (w.queue.directory.empty())
    w.queue.directory = cfg.global("spoolbase").as_string() + "/webhooks/" + (name.empty() ? "webhook" : name);
  return w;
}

}  // namespace

impulse::expected<log::EventStreamOptions, std::string> events_options_from(const config::Config& cfg) {
  log::EventStreamOptions o;
  if (!config::module_instances(cfg, "json_logger").empty()) {
    o.json_log.path = config::module_option_or_default(cfg, "json_logger", "logfile").as_string();
    o.json_log.mode = static_cast<unsigned>(config::module_option_or_default(cfg, "json_logger", "logfile_mode").as_int());
    if (o.json_log.path.empty()) return impulse::unexpected(std::string("json_logger: logfile is not set"));
  }
  for (const auto& name : config::module_instances(cfg, "webhook")) {
    auto w = webhook_from(cfg, name);
    if (!w) return impulse::unexpected(w.error());
    o.webhooks.push_back(std::move(*w));
  }
  return o;
}

}  // namespace impulse::daemon
