// Events: the JSON event stream's records (SPEC §17; reference/momentum.md
// §10.2). One Event is one line of the json_logger file and one element of
// a webhook's batch: a JSON object with `type`, `time` (RFC 3339, UTC, with
// microseconds) and `message_id`, then the fields SPEC §17 names for its
// type, and no others:
//   reception:           sender recipient size protocol peer binding binding_group
//   delivery, transient_failure, permanent_failure:
//                        sender recipient domain binding binding_group
//                        delivery_method remote_ip remote_id response attempt
//                        queue_seconds size (+ bounce_class for permanent_failure)
//   bounce:              original_message_id recipient (the original sender)
//   rejection:           sender recipient (when known) peer response
//                        (message_id is null: nothing was queued)
//   token_replaced:      recipient new_token
//   mm7_delivery_report: remote_id recipient mm7_status
// Text fields are JSON strings as given (Boost.JSON escapes them; invalid
// UTF-8 is passed through as bytes); an empty remote_id is null.
//
// Events hold string_views: build one, emit it (log/event_sink.hpp), drop it.
// Leaves to others: where events go (event_stream.hpp), who emits them (the
// queue through queue/event_stream_log.hpp, the ESMTP listener, channel
// agents).
// Threading: pure functions; safe from any thread.
// Failure modes: parse_event_type() returns nullopt for an unknown name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"

namespace impulse::log {

enum class EventType : std::uint8_t {
  kReception,
  kDelivery,
  kTransientFailure,
  kPermanentFailure,
  kBounce,
  kRejection,
  kTokenReplaced,
  kMm7DeliveryReport,
};
inline constexpr unsigned kEventTypeCount = 8;

// A set of event types (a webhook's `events`); bit i = EventType i.
using EventMask = std::uint32_t;
inline constexpr EventMask kAllEvents = (EventMask{1} << kEventTypeCount) - 1;
constexpr EventMask event_bit(EventType t) { return EventMask{1} << static_cast<unsigned>(t); }

// "reception", "delivery", "transient_failure", ...
std::string_view event_type_name(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);

struct Event {
  EventType type = EventType::kReception;
  WallTime time{};
  std::string_view message_id;  // empty: null (rejection)
  std::string_view sender, recipient, domain;
  std::string_view binding, binding_group;
  std::string_view protocol, peer;
  std::string_view delivery_method, remote_ip, remote_id, response;
  std::string_view original_message_id, new_token, mm7_status;
  std::uint64_t size = 0;
  std::int64_t attempt = 0;             // retries before this attempt (0 = first)
  std::chrono::nanoseconds queue_time{0};  // since reception, as queue_seconds
  int bounce_class = 1;
};

// 2026-12-06T12:49:48.123456Z
std::string format_rfc3339_micros(WallTime t);

// The event as one line of JSON, without a newline.
std::string format_event_json(const Event& e);

}  // namespace impulse::log
