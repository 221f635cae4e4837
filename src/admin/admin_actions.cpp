// Admin's message actions and daemon actions (admin.hpp): message retry /
// fail, config reload and eval, reopen logs, shutdown, pid.
#include <unistd.h>

#include "admin/admin.hpp"
#include "queue/scheduler.hpp"

namespace impulse::admin {

void Admin::retry_message(spool::MessageId id, std::function<void(MessageAction)> done) {
  deps_.scheduler.retry_message(id, std::move(done));
}

void Admin::fail_message(spool::MessageId id, bool quiet, std::function<void(MessageAction)> done) {
  deps_.scheduler.fail_message(id, quiet, std::move(done));
}

ReloadOutcome Admin::reload(const std::string& path) {
  if (!deps_.daemon.reload) return ReloadOutcome{false, {"config reload is not available"}};
  return deps_.daemon.reload(path);
}

impulse::expected<EvalResult, std::string> Admin::eval(const std::vector<std::string>& scope_path,
                                                       const std::string& option) const {
  config::ConfigPtr cfg = deps_.daemon.config ? deps_.daemon.config() : nullptr;
  if (!cfg) return impulse::unexpected<std::string>("no configuration is loaded");
  auto res = cfg->eval(scope_path, option);
  if (!res) return impulse::unexpected<std::string>(res.error());
  return EvalResult{option, *res->value, res->owner};
}

Result<void> Admin::reopen_logs() {
  if (!deps_.daemon.reopen_logs) return fail("reopen logs is not available");
  return deps_.daemon.reopen_logs();
}

void Admin::shutdown() {
  if (deps_.daemon.shutdown) deps_.daemon.shutdown();
}

long Admin::pid() const { return static_cast<long>(::getpid()); }

}  // namespace impulse::admin
