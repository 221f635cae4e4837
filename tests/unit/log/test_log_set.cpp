// Tests for log/log_set.hpp with a ManualClock: heartbeats on schedule,
// flushing on tick, reopen of every file, problems routed to the paniclog,
// disabled logs, and the background ticker starting and stopping cleanly.
#include "log/log_set.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "log_test_support.hpp"

using namespace impulse::log;
using namespace impulse::log::testing;
using impulse::ManualClock;
using impulse::WallTime;
using namespace std::chrono_literals;

namespace {

LogSetOptions all_logs(const TempDir& dir) {
  LogSetOptions o;
  o.mainlog.path = dir.file("mainlog.ec");
  o.bouncelog.path = dir.file("bouncelog.ec");
  o.paniclog.path = dir.file("paniclog.ec");
  return o;
}

std::unique_ptr<LogSet> open_set(const LogSetOptions& o, ManualClock& clock, ProblemReporter& fallback) {
  auto s = LogSet::open(o, clock, fallback);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? std::move(*s) : nullptr;
}

}  // namespace

TEST(LogSet, HeartbeatsEveryIntervalAndTickFlushes) {
  TempDir dir;
  ManualClock clock;
  clock.set_wall(WallTime{std::chrono::seconds(1700000000)});
  RecordingReporter fallback;
  auto set = open_set(all_logs(dir), clock, fallback);
  ASSERT_TRUE(set);

  DeliveryRecord d;
  d.time = clock.wall_now();
  d.received = clock.wall_now();
  set->mainlog().delivery(d);
  EXPECT_EQ(read_file(dir.file("mainlog.ec")), "") << "buffered until the tick";
  clock.advance(1s);
  set->tick();
  auto lines = read_lines(dir.file("mainlog.ec"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(fields(lines[0])[4], "D");

  clock.advance(58s);  // 59 s after open
  set->tick();
  EXPECT_EQ(read_lines(dir.file("mainlog.ec")).size(), 1u) << "no heartbeat before 60 s";
  clock.advance(1s);  // 60 s
  set->tick();
  lines = read_lines(dir.file("mainlog.ec"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "1700000060@@@@M");
  auto blines = read_lines(dir.file("bouncelog.ec"));
  ASSERT_EQ(blines.size(), 1u);
  EXPECT_EQ(blines[0], "1700000060@@@@M1");

  clock.advance(30s);
  set->tick();
  EXPECT_EQ(read_lines(dir.file("mainlog.ec")).size(), 2u);
  clock.advance(30s);  // 120 s
  set->tick();
  lines = read_lines(dir.file("mainlog.ec"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "1700000120@@@@M");
  EXPECT_TRUE(fallback.lines().empty());
}

TEST(LogSet, HeartbeatIntervalsAreIndependentAndZeroDisables) {
  TempDir dir;
  ManualClock clock;
  clock.set_wall(WallTime{std::chrono::seconds(1000)});
  RecordingReporter fallback;
  auto o = all_logs(dir);
  o.mainlog_heartbeat = 10s;
  o.bouncelog_heartbeat = 0s;
  auto set = open_set(o, clock, fallback);
  ASSERT_TRUE(set);
  for (int i = 0; i < 3; ++i) {
    clock.advance(10s);
    set->tick();
  }
  auto lines = read_lines(dir.file("mainlog.ec"));
  EXPECT_EQ(lines, (std::vector<std::string>{"1010@@@@M", "1020@@@@M", "1030@@@@M"}));
  EXPECT_EQ(read_file(dir.file("bouncelog.ec")), "");
}

TEST(LogSet, ReopenAllFilesAfterRotation) {
  TempDir dir;
  ManualClock clock;
  RecordingReporter fallback;
  auto set = open_set(all_logs(dir), clock, fallback);
  ASSERT_TRUE(set);
  set->mainlog().heartbeat(WallTime{std::chrono::seconds(1)});
  set->bouncelog().heartbeat(WallTime{std::chrono::seconds(1)});
  set->paniclog().write("before");
  for (auto name : {"mainlog.ec", "bouncelog.ec", "paniclog.ec"})
    std::filesystem::rename(dir.file(name), dir.file(std::string(name) + ".1"));
  auto r = set->reopen();
  ASSERT_TRUE(r) << r.error().message;
  set->mainlog().heartbeat(WallTime{std::chrono::seconds(2)});
  set->bouncelog().heartbeat(WallTime{std::chrono::seconds(2)});
  set->paniclog().write("after");
  set->flush();
  EXPECT_EQ(read_file(dir.file("mainlog.ec.1")), "1@@@@M\n");
  EXPECT_EQ(read_file(dir.file("mainlog.ec")), "2@@@@M\n");
  EXPECT_EQ(read_file(dir.file("bouncelog.ec.1")), "1@@@@M1\n");
  EXPECT_EQ(read_file(dir.file("bouncelog.ec")), "2@@@@M1\n");
  EXPECT_NE(read_file(dir.file("paniclog.ec.1")).find(":before"), std::string::npos);
  EXPECT_NE(read_file(dir.file("paniclog.ec")).find(":after"), std::string::npos);
}

TEST(LogSet, ReopenFailureIsReturnedAndReported) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "main");
  ManualClock clock;
  RecordingReporter fallback;
  auto o = all_logs(dir);
  o.mainlog.path = (dir.path() / "main" / "mainlog.ec").string();
  auto set = open_set(o, clock, fallback);
  ASSERT_TRUE(set);
  std::filesystem::rename(dir.path() / "main", dir.path() / "gone");
  auto r = set->reopen();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(o.mainlog.path), std::string::npos) << r.error().message;
  auto panic = read_lines(dir.file("paniclog.ec"));
  ASSERT_EQ(panic.size(), 1u);
  EXPECT_NE(panic[0].find("reopen logs: mainlog " + o.mainlog.path), std::string::npos) << panic[0];
}

TEST(LogSet, OpenFailureNamesTheFile) {
  TempDir dir;
  ManualClock clock;
  RecordingReporter fallback;
  auto o = all_logs(dir);
  o.bouncelog.path = dir.file("missing/bouncelog.ec");
  auto s = LogSet::open(o, clock, fallback);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("bouncelog " + o.bouncelog.path), std::string::npos) << s.error().message;
}

TEST(LogSet, DisabledLogsAreNoOpsAndProblemsGoToFallback) {
  TempDir dir;
  ManualClock clock;
  RecordingReporter fallback;
  LogSetOptions o;
  o.mainlog.path = dir.file("mainlog.ec");
  auto set = open_set(o, clock, fallback);
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->mainlog().enabled());
  EXPECT_FALSE(set->bouncelog().enabled());
  EXPECT_FALSE(set->paniclog().enabled());
  set->bouncelog().record({});
  clock.advance(60s);
  set->tick();
  set->problems().report("something odd");
  EXPECT_EQ(fallback.lines(), (std::vector<std::string>{"something odd"}));
  EXPECT_EQ(read_lines(dir.file("mainlog.ec")).size(), 1u) << "the heartbeat";
  EXPECT_FALSE(std::filesystem::exists(dir.file("bouncelog.ec")));
}

TEST(LogSet, MainlogWriteErrorsGoToThePaniclog) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  TempDir dir;
  ManualClock clock;
  clock.set_wall(WallTime{std::chrono::seconds(1700000000)});
  RecordingReporter fallback;
  auto o = all_logs(dir);
  o.mainlog.path = "/dev/full";
  auto set = open_set(o, clock, fallback);
  ASSERT_TRUE(set);
  set->mainlog().heartbeat(clock.wall_now());
  set->tick();
  set->mainlog().heartbeat(clock.wall_now());
  set->tick();
  auto panic = read_lines(dir.file("paniclog.ec"));
  ASSERT_EQ(panic.size(), 1u) << "reported once";
  EXPECT_NE(panic[0].find("mainlog /dev/full: write failed"), std::string::npos);
  EXPECT_TRUE(fallback.lines().empty());
}

TEST(LogSet, BackgroundTickerStartsAndStopsAndFinalFlushHappens) {
  TempDir dir;
  ManualClock clock;
  RecordingReporter fallback;
  auto o = all_logs(dir);
  o.flush_interval = 3600s;  // the ticker never fires during the test
  {
    auto set = open_set(o, clock, fallback);
    ASSERT_TRUE(set);
    set->start();
    set->start();  // a second start is harmless
    set->mainlog().heartbeat(WallTime{std::chrono::seconds(7)});
  }  // stops the ticker without waiting for the interval, then flushes
  EXPECT_EQ(read_file(dir.file("mainlog.ec")), "7@@@@M\n");
}
