// Tests for spool/rocksdb_info_log.hpp: RocksDB's info log written by us,
// surviving a full disk (/dev/full answers every write with ENOSPC) where
// RocksDB's own logger asserts, and rolling at its size limit.
#include "spool/rocksdb_info_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "spool/rocksdb_store.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void log_line(rocksdb::Logger& logger, rocksdb::InfoLogLevel level, const char* text) {
  rocksdb::Log(level, &logger, "%s %d", text, 42);
}

TEST(RocksDbInfoLog, WritesLevelAndTextOnOneLine) {
  testing::TempDir dir;
  RocksDbInfoLog log(dir.sub("LOG"), 1u << 20);
  log_line(log, rocksdb::InfoLogLevel::INFO_LEVEL, "opened");
  log_line(log, rocksdb::InfoLogLevel::WARN_LEVEL, "careful");
  log_line(log, rocksdb::InfoLogLevel::DEBUG_LEVEL, "not shown");  // below INFO
  const std::string text = read_file(dir.sub("LOG"));
  EXPECT_NE(text.find(" opened 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" [WARN] careful 42\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("not shown"), std::string::npos) << text;
  EXPECT_EQ(log.dropped_lines(), 0u);
}

TEST(RocksDbInfoLog, AFullDiskDropsLinesAndNeverAborts) {
  // RocksDB's own logger aborts on the second write after a failed one.
  RocksDbInfoLog log("/dev/full", 1u << 20);
  for (int i = 0; i < 3; ++i) log_line(log, rocksdb::InfoLogLevel::ERROR_LEVEL, "no space");
  EXPECT_EQ(log.dropped_lines(), 3u);
}

TEST(RocksDbInfoLog, RollsToLogOldPastTheLimit) {
  testing::TempDir dir;
  RocksDbInfoLog log(dir.sub("LOG"), 200);
  for (int i = 0; i < 10; ++i) log_line(log, rocksdb::InfoLogLevel::INFO_LEVEL, "a line of some length");
  EXPECT_TRUE(std::filesystem::exists(dir.sub("LOG.old")));
  EXPECT_LE(std::filesystem::file_size(dir.sub("LOG")), 200u);
  EXPECT_LE(std::filesystem::file_size(dir.sub("LOG.old")), 200u);
  EXPECT_EQ(log.dropped_lines(), 0u);
}

TEST(RocksDbInfoLog, TheStoreWritesRocksDbsInfoLogThroughIt) {
  // RocksDB's own logger renames the LOG of the previous open to
  // LOG.old.<time>; ours appends to it.
  testing::TempDir dir;
  static const SystemClock clock;
  for (int i = 0; i < 2; ++i) {
    auto store = RocksDbStore::open(RocksDbStoreOptions{.path = dir.sub("spool")}, clock);
    ASSERT_TRUE(store) << store.error().message;
    (*store)->close();
  }
  const std::string text = read_file(dir.sub("spool/LOG"));
  const auto first = text.find("RocksDB version");
  ASSERT_NE(first, std::string::npos) << text.substr(0, 400);
  EXPECT_NE(text.find("RocksDB version", first + 1), std::string::npos) << "both opens in one file";
  for (const auto& entry : std::filesystem::directory_iterator(dir.sub("spool")))
    EXPECT_EQ(entry.path().filename().string().rfind("LOG.old", 0), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace impulse::spool
