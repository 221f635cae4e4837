// Implementation of the store-independent parts of spool/store.hpp.
#include "spool/store.hpp"

#include <cerrno>

namespace impulse::spool {

Error closed_error() { return Error{"spool is closed", ESHUTDOWN}; }

Result<void> apply_updates(Message& message, std::span<const RecipientUpdate> updates) {
  for (const auto& u : updates) {
    if (u.index >= message.recipients.size())
      return fail("message " + message.id.to_string() + " has no recipient #" + std::to_string(u.index), EINVAL);
  }
  for (const auto& u : updates) message.recipients[u.index].status = u.status;
  return {};
}

}  // namespace impulse::spool
