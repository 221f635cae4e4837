// Implementation of log/bouncelog.hpp.
#include "log/bouncelog.hpp"

namespace impulse::log {

void Bouncelog::record(const BounceRecord& r) const {
  if (!file_) return;
  const bool wanted = r.kind == BounceKind::kBounce ? options_.log_inband_bounces : options_.log_transient_failures;
  if (wanted) file_->append(format_bounce(r, options_.timestamps));
}

void Bouncelog::heartbeat(WallTime t) const {
  if (file_) file_->append(format_bouncelog_heartbeat(t, options_.timestamps));
}

}  // namespace impulse::log
