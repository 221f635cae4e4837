// Implementation of spool/message.hpp.
#include "spool/message.hpp"

#include <algorithm>

namespace impulse::spool {

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kEsmtp: return "esmtp";
    case Protocol::kInternal: return "internal";
    case Protocol::kRest: return "rest";
    case Protocol::kXfer: return "xfer";
    case Protocol::kEcstream: return "ecstream";
  }
  return "unknown";
}

std::string_view state_name(RecipientState s) {
  switch (s) {
    case RecipientState::kPending: return "pending";
    case RecipientState::kDelivered: return "delivered";
    case RecipientState::kFailed: return "failed";
  }
  return "unknown";
}

bool Message::all_final() const {
  return std::all_of(recipients.begin(), recipients.end(), [](const Recipient& r) { return r.is_final(); });
}

std::optional<AddressParts> split_address(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return std::nullopt;
  return AddressParts{address.substr(0, at), address.substr(at + 1)};
}

}  // namespace impulse::spool
