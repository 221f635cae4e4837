// Implementation of log/bouncelog_format.hpp.
#include "log/bouncelog_format.hpp"

#include <fmt/format.h>

namespace impulse::log {

namespace {
// A binding in no group belongs to Momentum's implicit group "default".
std::string_view group_field(std::string_view group) { return group.empty() ? std::string_view("default") : group; }
}  // namespace

std::string format_bounce(const BounceRecord& r, TimestampStyle ts) {
  return fmt::format("{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}@{}", format_timestamp(r.time, ts),
                     sanitize_field(r.msgid), sanitize_field(r.batchid), sanitize_field(r.connid),
                     r.kind == BounceKind::kBounce ? 'B' : 'T', sanitize_field(r.rcpt_local),
                     sanitize_field(r.rcpt_domain), sanitize_field(r.sender_local), sanitize_field(r.sender_domain),
                     sanitize_field(group_field(r.binding_group)), sanitize_field(r.binding), r.stage, r.classification, r.size,
                     sanitize_field(r.remote_ip), sanitize_field(r.response));
}

std::string format_bouncelog_heartbeat(WallTime t, TimestampStyle ts) { return format_timestamp(t, ts) + "@@@@M1"; }

}  // namespace impulse::log
