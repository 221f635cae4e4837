// The message family of console/admin_commands.hpp: message details,
// message retry, message fail [quiet].
#include "admin/admin.hpp"
#include "console/admin_commands.hpp"
#include "console/admin_format.hpp"
#include "console/arguments.hpp"

namespace impulse::console {

namespace {

using AdminPtr = std::shared_ptr<admin::Admin>;

void add_message_details(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("message details", "message details ID", [admin](const Words& a, Respond r) {
    if (a.size() != 1) return r(failed("usage: message details ID\n"));
    auto id = spool::MessageId::parse(a[0]);
    if (!id) return r(failed("message details: '" + a[0] + "' is not a message id\n"));
    admin->message_details(*id, [r, text = a[0]](std::vector<admin::MessageInfo> ms) {
      if (ms.empty()) return r(failed("Message " + text + " not found\n"));
      r(ok(format_message_details(ms)));
    });
  });
}

// The reply to `message retry` / `message fail` for the scheduler's answer.
Reply message_action_reply(admin::MessageAction act, const std::string& text, bool failing) {
  switch (act) {
    case admin::MessageAction::kDone:
      return ok(failing ? "Message " + text + " failed.\n" : std::string("Message requeued for delivery\n"));
    case admin::MessageAction::kInFlight:
      return failed("Message " + text + " is being delivered; try again when the attempt ends\n");
    case admin::MessageAction::kNotFound:
      break;
  }
  return failed("Message " + text + " not found\n");
}

void add_message_retry(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("message retry", "message retry ID", [admin](const Words& a, Respond r) {
    if (a.size() != 1) return r(failed("usage: message retry ID\n"));
    auto id = spool::MessageId::parse(a[0]);
    if (!id) return r(failed("'" + a[0] + "' is not a message id\n"));
    admin->retry_message(*id, [r, text = a[0]](admin::MessageAction act) {
      r(message_action_reply(act, text, false));
    });
  });
}

void add_message_fail(CommandRegistry& reg, const AdminPtr& admin) {
  reg.add("message fail", "message fail [quiet] ID", [admin](const Words& in, Respond r) {
    Words a = in;
    const bool quiet = take_quiet(a);
    if (a.size() != 1) return r(failed("usage: message fail [quiet] ID\n"));
    auto id = spool::MessageId::parse(a[0]);
    if (!id) return r(failed("'" + a[0] + "' is not a message id\n"));
    admin->fail_message(*id, quiet, [r, text = a[0]](admin::MessageAction act) {
      r(message_action_reply(act, text, true));
    });
  });
}

}  // namespace

void add_message_commands(CommandRegistry& reg, const AdminPtr& admin) {
  add_message_details(reg, admin);
  add_message_retry(reg, admin);
  add_message_fail(reg, admin);
}

}  // namespace impulse::console
