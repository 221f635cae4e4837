// queue/event_stream_log.hpp: the queue's records become the JSON event
// stream's events (SPEC §17) and still reach the inner EventLog.
#include <gtest/gtest.h>

#include <mutex>

#include "log/event_sink.hpp"
#include "queue/event_stream_log.hpp"

namespace impulse::queue {
namespace {

// Keeps each event as its JSON line.
class RecordingSink final : public log::EventSink {
 public:
  void emit(const log::Event& e) override { lines.push_back(log::format_event_json(e)); }
  bool wants(log::EventType t) const override { return t != log::EventType::kReception || want_receptions; }
  std::vector<std::string> lines;
  bool want_receptions = true;
};

class CountingLog final : public EventLog {
 public:
  void reception(const log::ReceptionRecord&) override { ++calls; }
  void delivery(const log::DeliveryRecord&) override { ++calls; }
  void transient(const log::FailureRecord&, const log::BounceRecord&) override { ++calls; }
  void permanent(const log::FailureRecord&, const log::BounceRecord&) override { ++calls; }
  void problem(std::string_view) override { ++calls; }
  int calls = 0;
};

const WallTime kT{std::chrono::seconds(1'700'000'010)};

TEST(EventStreamLog, ReceptionJoinsTheSplitAddresses) {
  CountingLog inner;
  RecordingSink sink;
  EventStreamLog log(inner, sink);
  log::ReceptionRecord r;
  r.time = kT;
  r.msgid = "ID";
  r.rcpt_local = "bob";
  r.rcpt_domain = "example.com";
  r.peer_ip = "192.0.2.1";
  r.size = 7;
  r.binding = "default";
  log.reception(r);
  EXPECT_EQ(inner.calls, 1);
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_NE(sink.lines[0].find("\"recipient\":\"bob@example.com\""), std::string::npos) << sink.lines[0];
  EXPECT_NE(sink.lines[0].find("\"sender\":\"\""), std::string::npos);  // the null sender
  sink.want_receptions = false;
  log.reception(r);
  EXPECT_EQ(inner.calls, 2);
  EXPECT_EQ(sink.lines.size(), 1u);  // not wanted: not built
}

TEST(EventStreamLog, PermanentFailureTakesItsClassFromTheBounceRecord) {
  CountingLog inner;
  RecordingSink sink;
  EventStreamLog log(inner, sink);
  log::FailureRecord f;
  f.time = kT;
  f.received = kT - std::chrono::seconds(3);
  f.msgid = "ID";
  f.domain = "example.com";
  f.retries = 4;
  f.remote_ip = "192.0.2.9";
  f.response = "550 5.1.1 gone";
  f.delivery_method = "esmtp";
  f.size = 99;
  log::BounceRecord b;
  b.rcpt_local = "gone";
  b.rcpt_domain = "example.com";
  b.sender_local = "alice";
  b.sender_domain = "sender.example";
  b.classification = 10;
  log.permanent(f, b);
  ASSERT_EQ(sink.lines.size(), 1u);
  const std::string& line = sink.lines[0];
  for (const char* want : {"\"type\":\"permanent_failure\"", "\"recipient\":\"gone@example.com\"",
                           "\"sender\":\"alice@sender.example\"", "\"bounce_class\":10", "\"attempt\":4",
                           "\"queue_seconds\":3.000000", "\"size\":99", "\"delivery_method\":\"esmtp\""})
    EXPECT_NE(line.find(want), std::string::npos) << want << " in " << line;
}

TEST(EventStreamLog, BounceAndRejectionAreEventsOnly) {
  CountingLog inner;
  RecordingSink sink;
  EventStreamLog log(inner, sink);
  log.bounce_generated(BounceEvent{kT, "BOUNCE", "ORIG", "alice@sender.example", "c1"});
  log.rejection(RejectionEvent{kT, "alice@sender.example", "", "203.0.113.5", "554 5.5.1 No valid recipients", "c2"});
  EXPECT_EQ(inner.calls, 0);
  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_NE(sink.lines[0].find("\"original_message_id\":\"ORIG\""), std::string::npos);
  EXPECT_NE(sink.lines[1].find("\"message_id\":null"), std::string::npos);
  EXPECT_NE(sink.lines[1].find("\"recipient\":null"), std::string::npos);
}

}  // namespace
}  // namespace impulse::queue
