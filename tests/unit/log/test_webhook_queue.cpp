// log/webhook_queue.hpp (append, read, cursor, restart, bound, torn lines),
// log/webhook_backoff.hpp and log/webhook_url.hpp.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "log/webhook_backoff.hpp"
#include "log/webhook_queue.hpp"
#include "log/webhook_url.hpp"
#include "log_test_support.hpp"

namespace impulse::log {
namespace {

using testing::TempDir;

std::vector<std::string> events(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("{\"n\":" + std::to_string(i) + "}");
  return out;
}

std::unique_ptr<WebhookQueue> open_queue(const TempDir& dir, std::uint64_t max_bytes = 1 << 20,
                                         std::uint64_t segment_bytes = 1 << 20) {
  auto q = WebhookQueue::open({.directory = dir.file("hook"), .max_bytes = max_bytes, .segment_bytes = segment_bytes,
                               .sync = true});
  EXPECT_TRUE(q) << (q ? "" : q.error().message);
  return q ? std::move(*q) : nullptr;
}

std::size_t segment_files(const TempDir& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("hook")))
    if (e.path().extension() == ".events") ++n;
  return n;
}

TEST(WebhookQueue, ReadsWhatWasAppendedInOrderUntilAcknowledged) {
  TempDir dir;
  auto q = open_queue(dir);
  auto r = q->append(events(0, 5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->appended, 5u);
  EXPECT_EQ(q->backlog(), 5u);
  auto b = q->read(3);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->events, events(0, 3));
  // Not acknowledged: the same events again.
  EXPECT_EQ(q->read(3)->events, events(0, 3));
  ASSERT_TRUE(q->acknowledge(b->end, b->events.size()));
  EXPECT_EQ(q->backlog(), 2u);
  auto rest = q->read(100);
  EXPECT_EQ(rest->events, events(3, 5));
  ASSERT_TRUE(q->acknowledge(rest->end, rest->events.size()));
  EXPECT_EQ(q->backlog(), 0u);
  EXPECT_TRUE(q->read(100)->events.empty());
  EXPECT_EQ(q->bytes(), 0u);
}

TEST(WebhookQueue, ARestartResumesAtTheDurableCursor) {
  TempDir dir;
  {
    auto q = open_queue(dir);
    ASSERT_TRUE(q->append(events(0, 4)));
    auto b = q->read(2);
    ASSERT_TRUE(q->acknowledge(b->end, 2));
    ASSERT_TRUE(q->append(events(4, 6)));
  }
  auto q = open_queue(dir);
  EXPECT_EQ(q->backlog(), 4u);
  EXPECT_EQ(q->read(100)->events, events(2, 6));
  ASSERT_TRUE(q->append(events(6, 7)));  // appended to a new segment
  auto all = q->read(100);
  EXPECT_EQ(all->events, events(2, 7));
  ASSERT_TRUE(q->acknowledge(all->end, all->events.size()));
  EXPECT_EQ(q->backlog(), 0u);
  EXPECT_EQ(segment_files(dir), 1u);  // the older segment was deleted
}

TEST(WebhookQueue, SegmentsRollAndAcknowledgedOnesAreDeleted) {
  TempDir dir;
  auto q = open_queue(dir, 1 << 20, 64);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q->append(events(i * 5, i * 5 + 5)));
  EXPECT_GE(segment_files(dir), 4u);  // a new segment once one passes 64 bytes
  std::vector<std::string> got;
  while (q->backlog() > 0) {
    auto b = q->read(7);
    ASSERT_TRUE(b);
    ASSERT_FALSE(b->events.empty());
    got.insert(got.end(), b->events.begin(), b->events.end());
    ASSERT_TRUE(q->acknowledge(b->end, b->events.size()));
  }
  EXPECT_EQ(got, events(0, 50));
  EXPECT_EQ(segment_files(dir), 1u);
}

TEST(WebhookQueue, ATornLastLineIsSkippedAfterACrash) {
  TempDir dir;
  {
    auto q = open_queue(dir);
    ASSERT_TRUE(q->append(events(0, 2)));
  }
  // A crash in the middle of a write leaves an unterminated line.
  for (const auto& e : std::filesystem::directory_iterator(dir.file("hook")))
    if (e.path().extension() == ".events" && std::filesystem::file_size(e.path()) > 0) {
      std::ofstream(e.path(), std::ios::app) << "{\"n\":9";
    }
  auto q = open_queue(dir);
  EXPECT_EQ(q->backlog(), 2u);
  ASSERT_TRUE(q->append(events(2, 3)));
  EXPECT_EQ(q->read(100)->events, events(0, 3));
}

TEST(WebhookQueue, TheBoundRefusesEventsUntilAcknowledgementsFreeSpace) {
  TempDir dir;
  const std::uint64_t line = events(0, 1)[0].size() + 1;  // "{\"n\":0}\n"
  auto q = open_queue(dir, line * 3);
  auto r = q->append(events(0, 5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->appended, 3u);
  EXPECT_EQ(r->dropped, 2u);
  EXPECT_EQ(q->backlog(), 3u);
  EXPECT_EQ(q->append(events(5, 6))->dropped, 1u);
  auto b = q->read(2);
  ASSERT_TRUE(q->acknowledge(b->end, 2));
  r = q->append(events(6, 8));
  EXPECT_EQ(r->appended, 2u);
  EXPECT_EQ(r->dropped, 0u);
  EXPECT_EQ(q->read(100)->events, (std::vector<std::string>{"{\"n\":2}", "{\"n\":6}", "{\"n\":7}"}));
}

TEST(WebhookQueue, AnUnreadableCursorIsAnError) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("hook"));
  std::ofstream(dir.file("hook/cursor")) << "garbage\n";
  auto q = WebhookQueue::open({.directory = dir.file("hook")});
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("cursor"), std::string::npos);
}

TEST(WebhookBackoff, DoublesFromOneSecondUpToTheMaximum) {
  using std::chrono::seconds;
  EXPECT_EQ(webhook_backoff(0, seconds(300)), seconds(0));
  EXPECT_EQ(webhook_backoff(1, seconds(300)), seconds(1));
  EXPECT_EQ(webhook_backoff(2, seconds(300)), seconds(2));
  EXPECT_EQ(webhook_backoff(5, seconds(300)), seconds(16));
  EXPECT_EQ(webhook_backoff(9, seconds(300)), seconds(256));
  EXPECT_EQ(webhook_backoff(10, seconds(300)), seconds(300));
  EXPECT_EQ(webhook_backoff(1000, seconds(300)), seconds(300));
  EXPECT_EQ(webhook_backoff(3, seconds(0)), seconds(1));
}

TEST(WebhookUrl, SplitsSchemeHostPortAndTarget) {
  auto u = parse_webhook_url("https://hooks.example.com/mail?x=1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/mail?x=1");
  EXPECT_EQ(u->host_header, "hooks.example.com");
  u = parse_webhook_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->host_header, "127.0.0.1:8080");
  u = parse_webhook_url("HTTP://[::1]:81/h");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "81");
}

TEST(WebhookUrl, RefusesWhatItCannotUse) {
  EXPECT_FALSE(parse_webhook_url("ftp://x/"));
  EXPECT_FALSE(parse_webhook_url("hooks.example.com/mail"));
  EXPECT_FALSE(parse_webhook_url("http://:80/"));
  EXPECT_FALSE(parse_webhook_url("http://x:99999/"));
  EXPECT_FALSE(parse_webhook_url("http://user:pw@x/"));
}

}  // namespace
}  // namespace impulse::log

namespace impulse::log {
namespace {

TEST(WebhookQueue, TheCursorIsSavedAtMostOncePerIntervalAndOnRequest) {
  TempDir dir;
  const std::string cursor = dir.file("hook/cursor");
  auto q = WebhookQueue::open({.directory = dir.file("hook"), .cursor_interval = std::chrono::hours(1)});
  ASSERT_TRUE(q);
  ASSERT_TRUE((*q)->append(events(0, 4)));
  auto b = (*q)->read(2);
  ASSERT_TRUE((*q)->acknowledge(b->end, 2));  // the first one is saved (none was)
  const std::string first = testing::read_file(cursor);
  EXPECT_FALSE(first.empty());
  auto rest = (*q)->read(2);
  ASSERT_TRUE((*q)->acknowledge(rest->end, 2));
  EXPECT_EQ(testing::read_file(cursor), first);  // within the interval: not yet
  EXPECT_EQ((*q)->backlog(), 0u);
  ASSERT_TRUE((*q)->save_cursor());
  EXPECT_EQ(testing::read_file(cursor), fmt::format("{} {}\n", rest->end.segment, rest->end.offset));
}

TEST(WebhookQueue, ACrashBeforeTheCursorIsSavedSendsAgainButLosesNothing) {
  TempDir dir;
  WebhookQueueOptions o{.directory = dir.file("hook"), .cursor_interval = std::chrono::hours(1)};
  auto q = WebhookQueue::open(o);
  ASSERT_TRUE((*q)->append(events(0, 3)));
  auto b = (*q)->read(1);
  ASSERT_TRUE((*q)->acknowledge(b->end, 1));  // saved: the first save
  auto c = (*q)->read(1);
  ASSERT_TRUE((*q)->acknowledge(c->end, 1));  // not saved
  // A crash: copy the directory as it is on disk now, without the destructor's save.
  std::filesystem::copy(dir.file("hook"), dir.file("crashed"));
  auto after = WebhookQueue::open({.directory = dir.file("crashed")});
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)->read(10)->events, events(1, 3));  // event 1 again, event 2 not lost
}

}  // namespace
}  // namespace impulse::log
