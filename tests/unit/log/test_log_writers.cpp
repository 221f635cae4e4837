// Tests for log/mainlog.hpp, log/bouncelog.hpp and log/paniclog.hpp: records
// land in the file as formatted, toggles suppress them, a writer without a
// file does nothing, and the paniclog falls back to its reporter.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "log/bouncelog.hpp"
#include "log/mainlog.hpp"
#include "log/paniclog.hpp"
#include "log_test_support.hpp"

using namespace impulse::log;
using namespace impulse::log::testing;
using impulse::ManualClock;
using impulse::WallTime;

namespace {


FailureRecord failure(std::string_view response) {
  FailureRecord r;
  r.time = at(1700000010);
  r.received = at(1700000000);
  r.msgid = "00/00-1-A";
  r.domain = "rcpt.example";
  r.stage = 4;
  r.response = response;
  return r;
}

}  // namespace

TEST(Mainlog, WritesEachRecordType) {
  TempDir dir;
  auto file = LogFile::open({.path = dir.file("mainlog")}, nullptr);
  ASSERT_TRUE(file);
  Mainlog log(file->get(), {});
  ReceptionRecord rec;
  rec.time = at(1700000000);
  rec.msgid = "00/00-1-A";
  log.reception(rec);
  DeliveryRecord del;
  del.time = at(1700000001);
  del.received = at(1700000000);
  log.delivery(del);
  log.transient(failure("451 4.7.1 try later"));
  log.permanent(failure("550 5.1.1 unknown"));
  log.heartbeat(at(1700000060));
  (*file)->flush();
  auto lines = read_lines(dir.file("mainlog"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(fields(lines[0])[4], "R");
  EXPECT_EQ(fields(lines[1])[4], "D");
  EXPECT_EQ(fields(lines[2])[4], "T");
  EXPECT_EQ(fields(lines[2])[13], "451 4.7.1 try later");
  EXPECT_EQ(fields(lines[3])[4], "P");
  EXPECT_EQ(lines[4], "1700000060@@@@M");
}

TEST(Mainlog, TogglesSuppressRecords) {
  TempDir dir;
  auto file = LogFile::open({.path = dir.file("mainlog")}, nullptr);
  ASSERT_TRUE(file);
  Mainlog log(file->get(), {.log_receptions = false,
                            .log_deliveries = false,
                            .log_transient_failures = false,
                            .log_permanent_failures = true});
  log.reception({});
  log.delivery({});
  log.transient(failure("451 later"));
  log.permanent(failure("550 no"));
  (*file)->flush();
  auto lines = read_lines(dir.file("mainlog"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(fields(lines[0])[4], "P");
}

TEST(Mainlog, DisabledWriterDoesNothing) {
  Mainlog log;
  EXPECT_FALSE(log.enabled());
  log.reception({});
  log.heartbeat(at(1));
}

TEST(Bouncelog, WritesBAndTAndHonoursToggles) {
  TempDir dir;
  auto file = LogFile::open({.path = dir.file("bouncelog")}, nullptr);
  ASSERT_TRUE(file);
  Bouncelog log(file->get(), {});
  BounceRecord b;
  b.time = at(1700000000);
  b.kind = BounceKind::kBounce;
  b.classification = 10;
  log.record(b);
  b.kind = BounceKind::kTransient;
  b.classification = 70;
  log.record(b);
  log.heartbeat(at(1700000060));
  Bouncelog quiet(file->get(), {.log_inband_bounces = false, .log_transient_failures = false});
  quiet.record(b);
  b.kind = BounceKind::kBounce;
  quiet.record(b);
  (*file)->flush();
  auto lines = read_lines(dir.file("bouncelog"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(fields(lines[0])[4], "B");
  EXPECT_EQ(fields(lines[0])[12], "10");
  EXPECT_EQ(fields(lines[1])[4], "T");
  EXPECT_EQ(fields(lines[1])[12], "70");
  EXPECT_EQ(lines[2], "1700000060@@@@M1");
}

TEST(Paniclog, WritesAtOnceWithClockTime) {
  TempDir dir;
  auto file = LogFile::open({.path = dir.file("paniclog")}, nullptr);
  ASSERT_TRUE(file);
  ManualClock clock;
  clock.set_wall(at(1307461172));
  RecordingReporter fallback;
  Paniclog log(file->get(), clock, fallback);
  log.write("spool /var/spool/impulse: recovered 3 messages");
  EXPECT_EQ(read_file(dir.file("paniclog")), "1307461172:spool /var/spool/impulse: recovered 3 messages\n")
      << "no flush needed";
  EXPECT_TRUE(fallback.lines().empty());
}

TEST(Paniclog, WithoutFileGoesToFallback) {
  ManualClock clock;
  RecordingReporter fallback;
  Paniclog log(nullptr, clock, fallback);
  log.report("mainlog /x: write failed");
  ASSERT_EQ(fallback.lines().size(), 1u);
  EXPECT_EQ(fallback.lines()[0], "mainlog /x: write failed");
}

TEST(Paniclog, ReceivesAnotherLogsWriteError) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  TempDir dir;
  auto panic_file = LogFile::open({.path = dir.file("paniclog")}, nullptr);
  ASSERT_TRUE(panic_file);
  ManualClock clock;
  clock.set_wall(at(1700000000));
  RecordingReporter fallback;
  Paniclog panic(panic_file->get(), clock, fallback);
  auto main_file = LogFile::open({.path = "/dev/full", .name = "mainlog"}, &panic);
  ASSERT_TRUE(main_file);
  (*main_file)->append("doomed");
  (*main_file)->flush();
  auto lines = read_lines(dir.file("paniclog"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, 11), "1700000000:");
  EXPECT_NE(lines[0].find("mainlog /dev/full: write failed"), std::string::npos);
}

TEST(FdReporter, WritesPrefixedLine) {
  TempDir dir;
  const std::string path = dir.file("stderr");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  FdReporter r(fd, "impulsed: ");
  r.report("paniclog /p: write failed\nsecond line");
  ::close(fd);
  EXPECT_EQ(read_file(path), "impulsed: paniclog /p: write failed second line\n");
}
