// Implementation of queue/queue_counters.hpp.
#include "queue/queue_counters.hpp"

namespace impulse::queue {

std::string_view entry_state_name(EntryState s) {
  switch (s) {
    case EntryState::kActive: return "active";
    case EntryState::kInFlight: return "in flight";
    case EntryState::kDelayed: return "delayed";
  }
  return "active";
}

}  // namespace impulse::queue
