// Implementation of log/event_record.hpp. The object is written field by
// field (keys are constants); string values go through Boost.JSON's
// serializer, which does the escaping, so a line costs one allocation.
#include "log/event_record.hpp"

#include <boost/json/serializer.hpp>
#include <fmt/format.h>

#include <array>

namespace impulse::log {

namespace {

constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "reception", "delivery", "transient_failure", "permanent_failure",
    "bounce",    "rejection", "token_replaced",   "mm7_delivery_report",
};

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void text(std::string_view key, std::string_view value) {
    this->key(key);
    boost::json::string_view sv(value.data(), value.size());
    serializer_.reset(sv);
    char buf[512];
    while (!serializer_.done()) {
      const auto part = serializer_.read(buf, sizeof buf);
      out_.append(part.data(), part.size());
    }
  }
  void text_or_null(std::string_view key, std::string_view value) {
    if (value.empty()) return raw(key, "null");
    text(key, value);
  }
  void raw(std::string_view key, std::string_view value) {
    this->key(key);
    out_ += value;
  }
  void number(std::string_view key, std::int64_t value) { raw(key, fmt::format("{}", value)); }
  void close() { out_ += '}'; }

 private:
  void key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += k;  // keys are constants: no escaping needed
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
  boost::json::serializer serializer_;
};

std::string format_seconds(std::chrono::nanoseconds d) {
  if (d.count() < 0) d = {};
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return fmt::format("{}.{:06}", us / 1000000, us % 1000000);
}

void write_attempt_fields(ObjectWriter& w, const Event& e) {
  w.text("sender", e.sender);
  w.text("recipient", e.recipient);
  w.text("domain", e.domain);
  w.text("binding", e.binding);
  w.text("binding_group", e.binding_group);
  w.text("delivery_method", e.delivery_method);
  w.text("remote_ip", e.remote_ip);
  w.text_or_null("remote_id", e.remote_id);
  w.text("response", e.response);
  w.number("attempt", e.attempt);
  w.raw("queue_seconds", format_seconds(e.queue_time));
  w.number("size", static_cast<std::int64_t>(e.size));
}

}  // namespace

std::string_view event_type_name(EventType t) { return kNames[static_cast<unsigned>(t)]; }

std::optional<EventType> parse_event_type(std::string_view name) {
  for (unsigned i = 0; i < kEventTypeCount; ++i)
    if (kNames[i] == name) return static_cast<EventType>(i);
  return std::nullopt;
}

std::string format_rfc3339_micros(WallTime t) {
  using namespace std::chrono;
  const auto us = time_point_cast<microseconds>(t);
  const auto day = floor<days>(us);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<microseconds>(us - day)};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::string format_event_json(const Event& e) {
  std::string out;
  out.reserve(384);
  ObjectWriter w(out);
  w.text("type", event_type_name(e.type));
  w.text("time", format_rfc3339_micros(e.time));
  w.text_or_null("message_id", e.message_id);
  switch (e.type) {
    case EventType::kReception:
      w.text("sender", e.sender);
      w.text("recipient", e.recipient);
      w.number("size", static_cast<std::int64_t>(e.size));
      w.text("protocol", e.protocol);
      w.text("peer", e.peer);
      w.text("binding", e.binding);
      w.text("binding_group", e.binding_group);
      break;
    case EventType::kDelivery:
    case EventType::kTransientFailure: write_attempt_fields(w, e); break;
    case EventType::kPermanentFailure:
      write_attempt_fields(w, e);
      w.number("bounce_class", e.bounce_class);
      break;
    case EventType::kBounce:
      w.text("original_message_id", e.original_message_id);
      w.text("recipient", e.recipient);
      break;
    case EventType::kRejection:
      w.text("sender", e.sender);
      w.text_or_null("recipient", e.recipient);
      w.text("peer", e.peer);
      w.text("response", e.response);
      break;
    case EventType::kTokenReplaced:
      w.text("recipient", e.recipient);
      w.text("new_token", e.new_token);
      break;
    case EventType::kMm7DeliveryReport:
      w.text_or_null("remote_id", e.remote_id);
      w.text("recipient", e.recipient);
      w.text("mm7_status", e.mm7_status);
      break;
  }
  w.close();
  return out;
}

}  // namespace impulse::log
