// Tests for log/log_file.hpp: creation mode, buffering and flushing,
// rotation with reopen(), write errors (via /dev/full) reported once, and
// whole lines under concurrent appends.
#include "log/log_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "log_test_support.hpp"

using namespace impulse::log;
using namespace impulse::log::testing;

namespace {

unsigned file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::unique_ptr<LogFile> open_or_die(LogFileOptions o, ProblemReporter* r = nullptr) {
  auto f = LogFile::open(std::move(o), r);
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return f ? std::move(*f) : nullptr;
}

}  // namespace

TEST(LogFile, CreatesFileWithExactModeWhateverTheUmask) {
  TempDir dir;
  const mode_t old = ::umask(077);
  auto f = open_or_die({.path = dir.file("mainlog.ec"), .name = "mainlog", .mode = 0640});
  ::umask(old);
  ASSERT_TRUE(f);
  EXPECT_EQ(file_mode(dir.file("mainlog.ec")), 0640u);
}

TEST(LogFile, ExistingFileKeepsModeAndContent) {
  TempDir dir;
  const std::string path = dir.file("mainlog.ec");
  { std::ofstream(path) << "old line\n"; }
  ::chmod(path.c_str(), 0600);
  auto f = open_or_die({.path = path, .mode = 0644});
  ASSERT_TRUE(f);
  f->append("new line");
  f->flush();
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_EQ(read_file(path), "old line\nnew line\n");
}

TEST(LogFile, LinesWaitInBufferUntilFlush) {
  TempDir dir;
  const std::string path = dir.file("log");
  auto f = open_or_die({.path = path});
  ASSERT_TRUE(f);
  f->append("one");
  f->append("two");
  EXPECT_EQ(read_file(path), "") << "buffered, not yet written";
  EXPECT_EQ(f->buffered_bytes(), 8u);
  f->flush();
  EXPECT_EQ(read_file(path), "one\ntwo\n");
  EXPECT_EQ(f->buffered_bytes(), 0u);
  f->flush();  // nothing buffered: no change
  EXPECT_EQ(read_file(path), "one\ntwo\n");
}

TEST(LogFile, FullBufferIsWrittenOut) {
  TempDir dir;
  const std::string path = dir.file("log");
  auto f = open_or_die({.path = path, .buffer_limit = 10});
  ASSERT_TRUE(f);
  f->append("12345");  // 6 bytes
  EXPECT_EQ(read_file(path), "");
  f->append("67890");  // 12 bytes >= 10
  EXPECT_EQ(read_file(path), "12345\n67890\n");
}

TEST(LogFile, WriteThroughWritesEveryLine) {
  TempDir dir;
  const std::string path = dir.file("paniclog");
  auto f = open_or_die({.path = path, .write_through = true});
  ASSERT_TRUE(f);
  f->append("at once");
  EXPECT_EQ(read_file(path), "at once\n");
}

TEST(LogFile, CloseFlushes) {
  TempDir dir;
  const std::string path = dir.file("log");
  {
    auto f = open_or_die({.path = path});
    ASSERT_TRUE(f);
    f->append("last words");
  }
  EXPECT_EQ(read_file(path), "last words\n");
}

TEST(LogFile, NewlinesInsideALineCannotSplitIt) {
  TempDir dir;
  const std::string path = dir.file("log");
  auto f = open_or_die({.path = path});
  ASSERT_TRUE(f);
  f->append("a\nb\r\nc");
  f->flush();
  EXPECT_EQ(read_file(path), "a b  c\n");
}

TEST(LogFile, ReopenAfterRotationWritesToTheNewFile) {
  TempDir dir;
  const std::string path = dir.file("mainlog.ec");
  auto f = open_or_die({.path = path, .mode = 0640});
  ASSERT_TRUE(f);
  f->append("before rotation");
  f->flush();
  std::filesystem::rename(path, path + ".1");  // what a rotation tool does
  f->append("still buffered");
  auto r = f->reopen();
  ASSERT_TRUE(r) << r.error().message;
  f->append("after reopen");
  f->flush();
  EXPECT_EQ(read_file(path + ".1"), "before rotation\nstill buffered\n") << "reopen flushes to the old file first";
  EXPECT_EQ(read_file(path), "after reopen\n");
  EXPECT_EQ(file_mode(path), 0640u);
}

TEST(LogFile, FailedReopenKeepsTheOldDescriptor) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "logs");
  const std::string path = (dir.path() / "logs" / "mainlog.ec").string();
  auto f = open_or_die({.path = path, .name = "mainlog"});
  ASSERT_TRUE(f);
  std::filesystem::rename(dir.path() / "logs", dir.path() / "moved");  // the directory is gone
  auto r = f->reopen();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("mainlog " + path), std::string::npos) << r.error().message;
  f->append("kept writing");
  f->flush();
  EXPECT_EQ(read_file((dir.path() / "moved" / "mainlog.ec").string()), "kept writing\n");
}

TEST(LogFile, OpenFailureNamesTheFile) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/mainlog.ec");
  auto f = LogFile::open({.path = path, .name = "mainlog"}, nullptr);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find(path), std::string::npos);
  EXPECT_NE(f.error().message.find("No such file or directory"), std::string::npos) << f.error().message;
  EXPECT_FALSE(LogFile::open({.path = ""}, nullptr));
}

TEST(LogFile, WriteErrorIsReportedOnceAndLinesAreCounted) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  RecordingReporter reporter;
  auto f = open_or_die({.path = "/dev/full", .name = "mainlog"}, &reporter);
  ASSERT_TRUE(f);
  f->append("one");
  f->append("two");
  f->flush();
  f->append("three");
  f->flush();
  f->append("four");
  f.reset();  // the final flush fails too; still no crash, no second report
  auto lines = reporter.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("mainlog /dev/full: write failed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("No space left on device"), std::string::npos) << lines[0];
}

TEST(LogFile, DroppedLinesAreCountedAndRecoveryReported) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  TempDir dir;
  const std::string path = dir.file("mainlog.ec");
  std::filesystem::create_symlink("/dev/full", path);
  RecordingReporter reporter;
  auto f = open_or_die({.path = path, .name = "mainlog"}, &reporter);
  ASSERT_TRUE(f);
  f->append("lost 1");
  f->append("lost 2");
  f->flush();
  EXPECT_EQ(f->dropped_lines(), 2u);
  // The operator fixes things and asks for a reopen.
  std::filesystem::remove(path);
  auto r = f->reopen();
  ASSERT_TRUE(r) << r.error().message;
  f->append("kept");
  f->flush();
  EXPECT_EQ(read_file(path), "kept\n");
  auto lines = reporter.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("write failed"), std::string::npos);
  EXPECT_NE(lines[1].find("writing works again; 2 log lines were dropped"), std::string::npos) << lines[1];
}

TEST(LogFile, ConcurrentAppendsKeepLinesWhole) {
  TempDir dir;
  const std::string path = dir.file("log");
  auto f = open_or_die({.path = path, .buffer_limit = 300});
  ASSERT_TRUE(f);
  constexpr int kThreads = 4, kLines = 2000;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) f->append("t" + std::to_string(t) + "@" + std::to_string(i) + "@" +
                                                   std::string(20 + (i % 50), 'x'));
      });
  }
  f->flush();
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const auto& line : lines) {
    auto parts = fields(line);
    ASSERT_EQ(parts.size(), 3u) << line;
    int t = std::stoi(parts[0].substr(1));
    int i = std::stoi(parts[1]);
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    EXPECT_EQ(i, next[t]) << "each thread's lines stay in order";
    next[t] = i + 1;
    EXPECT_EQ(parts[2], std::string(20 + (i % 50), 'x'));
  }
}
