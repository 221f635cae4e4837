// Implementation of queue/event_log.hpp (log_receptions).
#include "queue/event_log.hpp"

#include "log/log_fields.hpp"

namespace impulse::queue {

void log_receptions(EventLog& log, const spool::Message& message, WallTime now, std::string_view connid) {
  const std::string id = message.id.to_string();
  const auto sender = log::split_address(message.sender);
  for (const auto& r : message.recipients) {
    const auto rcpt = log::split_address(r.address);
    log.reception(log::ReceptionRecord{now, id, "", connid, rcpt.first, rcpt.second, sender.first, sender.second,
                                       message.peer_ip, message.size, spool::protocol_name(message.protocol),
                                       r.binding_group, r.binding});
  }
}

}  // namespace impulse::queue
