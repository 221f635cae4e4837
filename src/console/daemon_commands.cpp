// The daemon family of console/admin_commands.hpp: version, pid, help,
// shutdown, reopen logs, config reload [PATH], config eval.
#include <fmt/format.h>

#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "console/admin_format.hpp"

namespace impulse::console {

namespace {

using AdminPtr = std::shared_ptr<admin::Admin>;

void add_process_commands(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("version", "version", [admin](const Words&, Respond r) { r(ok(admin->version() + "\n")); });
  reg.add("pid", "pid", [admin](const Words&, Respond r) { r(ok(fmt::format("{}\n", admin->pid()))); });
  reg.add("help", "help", [&reg](const Words&, Respond r) { r(ok(reg.help_text())); });
  reg.add("shutdown", "shutdown", [admin](const Words&, Respond r) {
    r(ok("Shutting down.\n"));
    admin->shutdown();
  });
  reg.add("reopen logs", "reopen logs", [admin](const Words& a, Respond r) {
    if (!a.empty()) return r(failed("usage: reopen logs\n"));
    auto res = admin->reopen_logs();
    if (!res) return r(failed(res.error().message + "\n"));
    r(ok("Logs reopened.\n"));
  });
}

void add_config_commands(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("config reload", "config reload [PATH]", [admin](const Words& a, Respond r) {
    if (a.size() > 1) return r(failed("usage: config reload [PATH]\n"));
    auto res = admin->reload(a.empty() ? std::string() : a[0]);
    if (res.ok) return r(ok("Configuration reloaded.\n"));
    r(failed(format_reload_refused(res)));
  });
  reg.add("config eval", "config eval [SCOPE NAME]... OPTION", [admin](const Words& a, Respond r) {
    if (a.empty() || a.size() % 2 == 0) return r(failed("usage: config eval [SCOPE NAME]... OPTION\n"));
    auto res = admin->eval(std::vector<std::string>(a.begin(), a.end() - 1), a.back());
    if (!res) return r(failed(res.error() + "\n"));
    r(ok(format_eval(*res)));
  });
}

}  // namespace

void add_daemon_commands(CommandRegistry& reg, const AdminPtr& admin) {
  add_process_commands(reg, admin);
  add_config_commands(reg, admin);
}

}  // namespace impulse::console
