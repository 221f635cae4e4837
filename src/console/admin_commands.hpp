// The console's commands over the admin layer (SPEC §7; reference/
// momentum.md §8.2): each parses its words, calls admin::Admin, and prints
// the typed result in Momentum's text (console/admin_format.hpp,
// console/domain_format.hpp). A bad argument is a failed reply with one
// line of usage. Families:
//   queues:   summary, mailq [-d DOMAIN]... [-b BINDING]... [-l N],
//             showqueue [binding NAME|all] DOMAIN [LIMIT,OFFSET], binding summary [NAME]
//   messages: message details ID, message retry ID, message fail [quiet] ID
//   domains:  domain NAME, refresh domain NAME|all, flush domain NAME|all,
//             fail domain [quiet] NAME, binding flush domain BINDING NAME|all,
//             binding fail domain [quiet] BINDING NAME
//   daemon:   version, pid, help, shutdown, reopen logs, config reload [PATH],
//             config eval [SCOPE NAME]... OPTION
// Handlers answer on the thread admin's callback runs on (a scheduler or
// connection-manager loop) or on the dispatching thread. Register before
// the listener starts; handlers share ownership of the Admin.
#pragma once

#include <memory>

#include "console/commands.hpp"

namespace impulse::admin {
class Admin;
}

namespace impulse::console {

// Every command of every family.
void add_commands(CommandRegistry& registry, std::shared_ptr<admin::Admin> admin);

void add_queue_commands(CommandRegistry& registry, const std::shared_ptr<admin::Admin>& admin);
void add_message_commands(CommandRegistry& registry, const std::shared_ptr<admin::Admin>& admin);
void add_domain_commands(CommandRegistry& registry, const std::shared_ptr<admin::Admin>& admin);
// `help` lists the registry it is added to.
void add_daemon_commands(CommandRegistry& registry, const std::shared_ptr<admin::Admin>& admin);

}  // namespace impulse::console
