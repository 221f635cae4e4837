// Implementation of log/mainlog_format.hpp.
#include "log/mainlog_format.hpp"

#include <fmt/format.h>

namespace impulse::log {

namespace {
// A binding in no group belongs to Momentum's implicit group "default".
std::string_view group_field(std::string_view group) { return group.empty() ? std::string_view("default") : group; }

std::string failure(char type, const FailureRecord& r, TimestampStyle ts) {
  return fmt::format("{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}", format_timestamp(r.time, ts),
                     sanitize_field(r.msgid), sanitize_field(r.batchid), sanitize_field(r.connid), type,
                     sanitize_field(r.domain), r.bytes_sent, sanitize_field(group_field(r.binding_group)),
                     sanitize_field(r.binding), r.stage, r.retries, format_elapsed(r.time - r.received),
                     sanitize_field(r.remote_ip), sanitize_field(r.response));
}

}  // namespace

std::string format_reception(const ReceptionRecord& r, TimestampStyle ts) {
  return fmt::format("{}@{}@{}@{}@R@{}@{}@{}@{}@{}@{}@{}@{}@{}", format_timestamp(r.time, ts),
                     sanitize_field(r.msgid), sanitize_field(r.batchid), sanitize_field(r.connid),
                     sanitize_field(r.rcpt_local), sanitize_field(r.rcpt_domain), sanitize_field(r.sender_local),
                     sanitize_field(r.sender_domain), sanitize_field(r.peer_ip), r.size, sanitize_field(r.protocol),
                     sanitize_field(group_field(r.binding_group)), sanitize_field(r.binding));
}

std::string format_delivery(const DeliveryRecord& r, TimestampStyle ts) {
  return fmt::format("{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}", format_timestamp(r.time, ts), sanitize_field(r.msgid),
                     sanitize_field(r.batchid), sanitize_field(r.connid), r.transfer ? 'X' : 'D',
                     sanitize_field(r.domain), r.size, sanitize_field(group_field(r.binding_group)), sanitize_field(r.binding),
                     r.retries, format_elapsed(r.time - r.received), sanitize_field(r.remote_ip));
}

std::string format_transient(const FailureRecord& r, TimestampStyle ts) { return failure('T', r, ts); }
std::string format_permanent(const FailureRecord& r, TimestampStyle ts) { return failure('P', r, ts); }

std::string format_mainlog_heartbeat(WallTime t, TimestampStyle ts) { return format_timestamp(t, ts) + "@@@@M"; }

}  // namespace impulse::log
