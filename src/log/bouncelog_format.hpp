// Bouncelog records: pure formatters for Momentum's bounce_logger lines.
//
//   B|T  time@msgid@batchid@connid@B@rcpt_local@rcpt_domain@sender_local@
//        sender_domain@binding_group@binding@stage@classification@size@
//        remote_ip@raw_response                                     (16 fields)
//   M1   time@@@@M1 (heartbeat)                                     (5 fields)
//
// B = a permanent failure (in-band bounce), T = a transient failure.
// classification: Momentum's code (protocol/bounce_classify.hpp); stage:
// Momentum's connection stage number; time: the time of the event (Unix
// seconds, or microseconds with log_hires_timestamp). Text fields are
// sanitised (log/log_fields.hpp) so a line splits on '@' into exactly 16
// fields. Lines are returned without the trailing newline.
//
// Records hold string_views: build one, format it, drop it.
// Leaves to others: classification (protocol/bounce_classify.hpp), files
// (log/log_file.hpp), toggles (log/bouncelog.hpp).
// Threading: pure functions; safe from any thread.
// Failure modes: none.
// Spec: SPEC §8; reference/momentum.md §10.1 (M4/log-formats-bouncelog).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "log/log_fields.hpp"

namespace impulse::log {

enum class BounceKind { kBounce, kTransient };  // 'B' / 'T'

struct BounceRecord {
  WallTime time{};
  std::string_view msgid, batchid, connid;
  BounceKind kind = BounceKind::kBounce;
  std::string_view rcpt_local, rcpt_domain;
  std::string_view sender_local, sender_domain;
  std::string_view binding_group, binding;
  int stage = 22;
  int classification = 1;  // 1 = Undetermined
  std::uint64_t size = 0;
  std::string_view remote_ip;
  std::string_view response;
};

std::string format_bounce(const BounceRecord& r, TimestampStyle ts = TimestampStyle::kSeconds);
std::string format_bouncelog_heartbeat(WallTime t, TimestampStyle ts = TimestampStyle::kSeconds);

}  // namespace impulse::log
