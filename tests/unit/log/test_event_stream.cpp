// log/event_stream.hpp: events reach the json_logger file and, by type, the
// webhooks' disk queues; the disk bound is warned about once.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "log/event_stream.hpp"
#include "log/webhook_queue.hpp"
#include "log_test_support.hpp"

namespace impulse::log {
namespace {

using testing::RecordingReporter;
using testing::TempDir;

Event event(EventType type, std::string_view id) {
  Event e;
  e.type = type;
  e.time = WallTime{std::chrono::seconds(1'700'000'000)};
  e.message_id = id;
  e.recipient = "bob@example.com";
  return e;
}

WebhookOptions hook(const TempDir& dir, std::string name, EventMask events, std::uint64_t max_bytes = 1 << 20) {
  WebhookOptions w;
  w.name = std::move(name);
  w.url = "http://127.0.0.1:9/hook";  // never started in these tests
  w.events = events;
  w.queue.directory = dir.file(w.name);
  w.queue.max_bytes = max_bytes;
  return w;
}

std::vector<std::string> queued(const TempDir& dir, const std::string& name) {
  auto q = WebhookQueue::open({.directory = dir.file(name)});
  EXPECT_TRUE(q);
  return (*q)->read(1000)->events;
}

TEST(EventStream, WritesEveryEventToTheFileAndEachWebhookItsTypes) {
  TempDir dir;
  RecordingReporter problems;
  SystemClock clock;
  EventStreamOptions o;
  o.json_log.path = dir.file("events.jsonl");
  o.webhooks.push_back(hook(dir, "deliveries", event_bit(EventType::kDelivery)));
  {
    auto s = EventStream::open(o, clock, problems);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE((*s)->wants(EventType::kBounce));  // the file wants everything
    (*s)->emit(event(EventType::kReception, "A"));
    (*s)->emit(event(EventType::kDelivery, "A"));
    (*s)->emit(event(EventType::kDelivery, "B"));
    (*s)->drain();
  }
  const auto lines = testing::read_lines(dir.file("events.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(boost::json::parse(lines[0]).at("type"), "reception");
  const auto hooked = queued(dir, "deliveries");
  ASSERT_EQ(hooked.size(), 2u);
  EXPECT_EQ(boost::json::parse(hooked[0]).at("message_id"), "A");
  EXPECT_EQ(boost::json::parse(hooked[1]).at("message_id"), "B");
  EXPECT_TRUE(problems.lines().empty());
}

TEST(EventStream, WithoutAFileOnlyTheWebhooksTypesAreWanted) {
  TempDir dir;
  RecordingReporter problems;
  SystemClock clock;
  EventStreamOptions o;
  o.webhooks.push_back(hook(dir, "a", event_bit(EventType::kDelivery)));
  o.webhooks.push_back(hook(dir, "b", event_bit(EventType::kBounce)));
  auto s = EventStream::open(o, clock, problems);
  ASSERT_TRUE(s);
  EXPECT_TRUE((*s)->wants(EventType::kDelivery));
  EXPECT_TRUE((*s)->wants(EventType::kBounce));
  EXPECT_FALSE((*s)->wants(EventType::kReception));
  EventStreamOptions none;
  auto empty = EventStream::open(none, clock, problems);
  EXPECT_FALSE((*empty)->enabled());
}

TEST(EventStream, TheBacklogBoundIsWarnedAboutOnceAndCounted) {
  TempDir dir;
  RecordingReporter problems;
  SystemClock clock;
  EventStreamOptions o;
  const std::size_t one = format_event_json(event(EventType::kDelivery, "A")).size() + 1;
  o.webhooks.push_back(hook(dir, "small", kAllEvents, one * 2));
  auto s = EventStream::open(o, clock, problems);
  ASSERT_TRUE(s);
  for (const char* id : {"A", "B", "C"}) (*s)->emit(event(EventType::kDelivery, id));
  (*s)->drain();
  (*s)->emit(event(EventType::kDelivery, "D"));
  (*s)->drain();
  const auto status = (*s)->webhook_status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].backlog, 2u);
  EXPECT_EQ(status[0].dropped, 2u);
  const auto lines = problems.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("webhook small: backlog reached max_backlog_size"), std::string::npos) << lines[0];
}

TEST(EventStream, ABadUrlIsAStartupError) {
  TempDir dir;
  RecordingReporter problems;
  SystemClock clock;
  EventStreamOptions o;
  o.webhooks.push_back(hook(dir, "bad", kAllEvents));
  o.webhooks.back().url = "ftp://x/";
  auto s = EventStream::open(o, clock, problems);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("webhook bad"), std::string::npos);
}

}  // namespace
}  // namespace impulse::log
