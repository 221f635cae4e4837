// log/event_record.hpp: every event type as JSON, with exactly the fields
// SPEC §17 names for it.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <set>

#include "log/event_record.hpp"

namespace impulse::log {
namespace {

namespace json = boost::json;

const WallTime kTime = WallTime{std::chrono::seconds(1'700'000'000)} + std::chrono::microseconds(42);

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> k;
  for (const auto& kv : o) k.emplace(kv.key());
  return k;
}

json::object parsed(const Event& e) {
  const std::string line = format_event_json(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  return json::parse(line).as_object();
}

Event attempt(EventType type) {
  Event e;
  e.type = type;
  e.time = kTime;
  e.message_id = "6553F1A0-03-0000002A";
  e.sender = "alice@sender.example";
  e.recipient = "bob@example.com";
  e.domain = "example.com";
  e.binding = "b1";
  e.binding_group = "g1";
  e.delivery_method = "esmtp";
  e.remote_ip = "192.0.2.1";
  e.response = "250 2.0.0 Ok";
  e.attempt = 2;
  e.queue_time = std::chrono::milliseconds(1500);
  e.size = 321;
  e.bounce_class = 10;
  return e;
}

TEST(EventRecord, TimeIsRfc3339UtcWithMicroseconds) {
  EXPECT_EQ(format_rfc3339_micros(kTime), "2023-11-14T22:13:20.000042Z");
}

TEST(EventRecord, ReceptionHasItsFields) {
  Event e;
  e.type = EventType::kReception;
  e.time = kTime;
  e.message_id = "ID1";
  e.sender = "alice@sender.example";
  e.recipient = "bob@example.com";
  e.size = 10;
  e.protocol = "esmtp";
  e.peer = "198.51.100.7";
  e.binding = "default";
  auto o = parsed(e);
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "time", "message_id", "sender", "recipient", "size", "protocol",
                                            "peer", "binding", "binding_group"}));
  EXPECT_EQ(o["type"], "reception");
  EXPECT_EQ(o["time"], "2023-11-14T22:13:20.000042Z");
  EXPECT_EQ(o["message_id"], "ID1");
  EXPECT_EQ(o["recipient"], "bob@example.com");
  EXPECT_EQ(o["size"].as_int64(), 10);
  EXPECT_EQ(o["peer"], "198.51.100.7");
  EXPECT_EQ(o["binding_group"], "");
}

TEST(EventRecord, DeliveryHasItsFields) {
  auto o = parsed(attempt(EventType::kDelivery));
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "time", "message_id", "sender", "recipient", "domain", "binding",
                                            "binding_group", "delivery_method", "remote_ip", "remote_id", "response",
                                            "attempt", "queue_seconds", "size"}));
  EXPECT_EQ(o["type"], "delivery");
  EXPECT_TRUE(o["remote_id"].is_null());
  EXPECT_EQ(o["attempt"].as_int64(), 2);
  EXPECT_DOUBLE_EQ(o["queue_seconds"].as_double(), 1.5);
  EXPECT_EQ(o["delivery_method"], "esmtp");
  EXPECT_EQ(o["size"].as_int64(), 321);
}

TEST(EventRecord, RemoteIdIsAStringWhenGiven) {
  Event e = attempt(EventType::kDelivery);
  e.remote_id = "mmsc-77";
  EXPECT_EQ(parsed(e)["remote_id"], "mmsc-77");
}

TEST(EventRecord, OnlyPermanentFailureHasBounceClass) {
  auto transient = parsed(attempt(EventType::kTransientFailure));
  EXPECT_EQ(transient["type"], "transient_failure");
  EXPECT_FALSE(transient.contains("bounce_class"));
  auto permanent = parsed(attempt(EventType::kPermanentFailure));
  EXPECT_EQ(permanent["type"], "permanent_failure");
  EXPECT_EQ(permanent["bounce_class"].as_int64(), 10);
  EXPECT_EQ(keys(permanent).size(), keys(transient).size() + 1);
}

TEST(EventRecord, BounceNamesTheOriginal) {
  Event e;
  e.type = EventType::kBounce;
  e.time = kTime;
  e.message_id = "BOUNCE";
  e.original_message_id = "ORIG";
  e.recipient = "alice@sender.example";
  auto o = parsed(e);
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "time", "message_id", "original_message_id", "recipient"}));
  EXPECT_EQ(o["original_message_id"], "ORIG");
}

TEST(EventRecord, RejectionHasNoMessageIdAndMayLackTheRecipient) {
  Event e;
  e.type = EventType::kRejection;
  e.time = kTime;
  e.sender = "alice@sender.example";
  e.peer = "203.0.113.9";
  e.response = "554 5.5.1 No valid recipients";
  auto o = parsed(e);
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "time", "message_id", "sender", "recipient", "peer", "response"}));
  EXPECT_TRUE(o["message_id"].is_null());
  EXPECT_TRUE(o["recipient"].is_null());
  e.recipient = "bob@example.com";
  EXPECT_EQ(parsed(e)["recipient"], "bob@example.com");
}

TEST(EventRecord, ChannelEvents) {
  Event t;
  t.type = EventType::kTokenReplaced;
  t.time = kTime;
  t.message_id = "ID";
  t.recipient = "oldtoken";
  t.new_token = "newtoken";
  EXPECT_EQ(keys(parsed(t)), (std::set<std::string>{"type", "time", "message_id", "recipient", "new_token"}));
  Event m;
  m.type = EventType::kMm7DeliveryReport;
  m.time = kTime;
  m.message_id = "ID";
  m.remote_id = "mmsc-1";
  m.recipient = "+15551234";
  m.mm7_status = "Retrieved";
  auto o = parsed(m);
  EXPECT_EQ(keys(o), (std::set<std::string>{"type", "time", "message_id", "remote_id", "recipient", "mm7_status"}));
  EXPECT_EQ(o["type"], "mm7_delivery_report");
}

TEST(EventRecord, TextIsEscaped) {
  Event e = attempt(EventType::kPermanentFailure);
  e.response = "550-5.1.1 \"no\"\r\n550 5.1.1 \\ gone\x01";
  auto o = parsed(e);
  EXPECT_EQ(o["response"], "550-5.1.1 \"no\"\r\n550 5.1.1 \\ gone\x01");
}

TEST(EventRecord, TypeNamesRoundTrip) {
  for (unsigned i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_EQ(parse_event_type(event_type_name(t)), t);
  }
  EXPECT_FALSE(parse_event_type("deliveries").has_value());
}

}  // namespace
}  // namespace impulse::log
