// Implementation of queue/writer_event_log.hpp.
#include "queue/writer_event_log.hpp"

namespace impulse::queue {

void WriterEventLog::reception(const log::ReceptionRecord& r) { mainlog_.reception(r); }

void WriterEventLog::delivery(const log::DeliveryRecord& r) { mainlog_.delivery(r); }

void WriterEventLog::transient(const log::FailureRecord& r, const log::BounceRecord& bounce) {
  mainlog_.transient(r);
  bouncelog_.record(bounce);
}

void WriterEventLog::permanent(const log::FailureRecord& r, const log::BounceRecord& bounce) {
  mainlog_.permanent(r);
  bouncelog_.record(bounce);
}

void WriterEventLog::problem(std::string_view text) { problems_.report(text); }

}  // namespace impulse::queue
