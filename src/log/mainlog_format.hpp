// Mainlog records: pure formatters for Momentum's '@'-separated mainlog
// lines, so existing Momentum log tooling reads Impulse's mainlog unchanged.
//
//   R  time@msgid@batchid@connid@R@rcpt_local@rcpt_domain@sender_local@
//      sender_domain@peer_ip@size@protocol@binding_group@binding        (14 fields)
//   D  time@msgid@batchid@connid@D@domain@size@binding_group@binding@
//      retries@seconds_since_reception@remote_ip                        (12 fields)
//      (X instead of D for a transfer to another node)
//   T  time@msgid@batchid@connid@T@domain@bytes_sent@binding_group@binding@
//      stage@retries@seconds_since_reception@remote_ip@response_text    (14 fields)
//   P  same fields as T with P                                          (14 fields)
//   M  time@@@@M (heartbeat)                                            (5 fields)
//
// time: Unix seconds (or microseconds, log_hires_timestamp); retries: how
// many times the message had been retried before this attempt (0 = first
// attempt); seconds_since_reception: "0.393"; bytes_sent 0 = no connection
// was made; stage: Momentum's connection stage number (queue/outcome.hpp);
// remote_ip: empty when there was no connection. Every text field is passed
// through sanitize_field (log/log_fields.hpp): no '@', CR or LF inside a
// field, so a line is one record and splits into exactly the counts above.
// Lines are returned without the trailing newline.
//
// Records hold string_views: build one, format it, drop it.
// Leaves to others: files and buffering (log/log_file.hpp), which events are
// logged (log/mainlog.hpp toggles), id formats (spool).
// Threading: pure functions; safe from any thread.
// Failure modes: none.
// Spec: SPEC §8; reference/momentum.md §10.1 (M4/log-formats-mainlog).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "log/log_fields.hpp"

namespace impulse::log {

// Reception protocols (mainlog R field 11).
inline constexpr std::string_view kProtocolEsmtp = "esmtp";
inline constexpr std::string_view kProtocolRest = "rest";          // HTTP injection
inline constexpr std::string_view kProtocolXfer = "xfer";          // moved from another node
inline constexpr std::string_view kProtocolInternal = "internal";  // generated bounce
inline constexpr std::string_view kPeerUnknown = "unknown";        // peer_ip for HTTP

struct ReceptionRecord {
  WallTime time{};
  std::string_view msgid, batchid, connid;
  std::string_view rcpt_local, rcpt_domain;
  std::string_view sender_local, sender_domain;  // both empty for the null sender
  std::string_view peer_ip;
  std::uint64_t size = 0;
  std::string_view protocol = kProtocolEsmtp;
  std::string_view binding_group, binding;
};

struct DeliveryRecord {
  WallTime time{};
  std::string_view msgid, batchid, connid;
  std::string_view domain;
  std::uint64_t size = 0;
  std::string_view binding_group, binding;
  std::int64_t retries = 0;
  WallTime received{};  // reception time, for seconds_since_reception
  std::string_view remote_ip;
  bool transfer = false;  // X record instead of D
  // For the JSON event stream only (log/event_record.hpp); not in the line.
  std::string_view recipient, sender, delivery_method, remote_id, response;
};

// T and P records.
struct FailureRecord {
  WallTime time{};
  std::string_view msgid, batchid, connid;
  std::string_view domain;
  std::uint64_t bytes_sent = 0;
  std::string_view binding_group, binding;
  int stage = 22;  // Momentum stage number; 22 = unknown
  std::int64_t retries = 0;
  WallTime received{};
  std::string_view remote_ip;
  std::string_view response;  // the reply or [internal] text
  // For the JSON event stream only (log/event_record.hpp); not in the line.
  std::string_view delivery_method, remote_id;
  std::uint64_t size = 0;
};

std::string format_reception(const ReceptionRecord& r, TimestampStyle ts = TimestampStyle::kSeconds);
std::string format_delivery(const DeliveryRecord& r, TimestampStyle ts = TimestampStyle::kSeconds);
std::string format_transient(const FailureRecord& r, TimestampStyle ts = TimestampStyle::kSeconds);
std::string format_permanent(const FailureRecord& r, TimestampStyle ts = TimestampStyle::kSeconds);
std::string format_mainlog_heartbeat(WallTime t, TimestampStyle ts = TimestampStyle::kSeconds);

}  // namespace impulse::log
