// add_commands() of console/admin_commands.hpp: every family at once.
#include "console/admin_commands.hpp"

namespace impulse::console {

void add_commands(CommandRegistry& registry, std::shared_ptr<admin::Admin> admin) {
  add_queue_commands(registry, admin);
  add_message_commands(registry, admin);
  add_domain_commands(registry, admin);
  add_daemon_commands(registry, admin);
}

}  // namespace impulse::console
