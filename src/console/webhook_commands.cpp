// Implementation of console/webhook_commands.hpp.
#include "console/webhook_commands.hpp"

#include <fmt/format.h>

#include "log/event_record.hpp"
#include "log/log_fields.hpp"

namespace impulse::console {

std::string format_webhook_summary(const std::vector<log::WebhookStatus>& hooks) {
  if (hooks.empty()) return "No webhooks configured.\n";
  std::string out;
  for (const auto& h : hooks) {
    const std::string success = h.last_success ? log::format_rfc3339_micros(*h.last_success) : "never";
    const std::string error = h.last_error.empty() ? "none" : log::sanitize_line(h.last_error, false);
    out += fmt::format("{} backlog={} last_success={} last_error={}\n", h.name, h.backlog, success, error);
  }
  return out;
}

void add_webhook_commands(CommandRegistry& registry, WebhookStatusSource status) {
  registry.add("webhook summary", "webhook summary", [status = std::move(status)](const Words& a, Respond r) {
    if (!a.empty()) return r(failed("usage: webhook summary\n"));
    r(ok(format_webhook_summary(status ? status() : std::vector<log::WebhookStatus>{})));
  });
}

}  // namespace impulse::console
