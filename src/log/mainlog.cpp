// Implementation of log/mainlog.hpp.
#include "log/mainlog.hpp"

namespace impulse::log {

void Mainlog::reception(const ReceptionRecord& r) const {
  if (file_ && options_.log_receptions) file_->append(format_reception(r, options_.timestamps));
}

void Mainlog::delivery(const DeliveryRecord& r) const {
  if (file_ && options_.log_deliveries) file_->append(format_delivery(r, options_.timestamps));
}

void Mainlog::transient(const FailureRecord& r) const {
  if (file_ && options_.log_transient_failures) file_->append(format_transient(r, options_.timestamps));
}

void Mainlog::permanent(const FailureRecord& r) const {
  if (file_ && options_.log_permanent_failures) file_->append(format_permanent(r, options_.timestamps));
}

void Mainlog::heartbeat(WallTime t) const {
  if (file_) file_->append(format_mainlog_heartbeat(t, options_.timestamps));
}

}  // namespace impulse::log
