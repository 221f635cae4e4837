// Implementation of delivery/smtp/dsn_handoff.hpp.
#include "delivery/smtp/dsn_handoff.hpp"

namespace impulse::delivery::smtp {

queue::DsnHandoff dsn_handoff(bool lmtp, bool dsn_listed) {
  if (dsn_listed) return queue::DsnHandoff::kPassedOn;
  return lmtp ? queue::DsnHandoff::kFinal : queue::DsnHandoff::kRelayed;
}

}  // namespace impulse::delivery::smtp
