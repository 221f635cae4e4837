// The unit-level kill -9 test (SPEC §5 "durable before acknowledged"): a
// child process commits messages from several threads and prints each id
// only after its on_durable(ok) callback; the parent SIGKILLs it mid-stream,
// reopens the spool and requires every printed id, with its exact body.
#include <gtest/gtest.h>

#include <set>

#include "child_process.hpp"
#include "spool/rocksdb_store.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

TEST(SpoolCrash, EveryAcknowledgedMessageSurvivesSigkill) {
  testing::TempDir dir;
  std::string path = dir.sub("spool");
  constexpr std::size_t kKillAfter = 600;  // acknowledged ids before the kill

  std::vector<std::string> acknowledged;
  {
    testing::ChildProcess child("commit_forever", path);
    ASSERT_GT(child.pid(), 0);
    std::string line;
    while (acknowledged.size() < kKillAfter && child.read_line(line)) {
      ASSERT_NE(line.rfind("ERR", 0), 0u) << line;
      acknowledged.push_back(line);
    }
    ASSERT_EQ(acknowledged.size(), kKillAfter) << "child stopped early";
    child.kill_hard();
    // Ids already in the pipe were acknowledged before the kill, too.
    while (child.read_line(line)) acknowledged.push_back(line);
    int status = child.wait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  }

  static const SystemClock clock;
  auto opened = RocksDbStore::open(RocksDbStoreOptions{.path = path}, clock);
  ASSERT_TRUE(opened) << opened.error().message;
  std::set<std::string> recovered;
  auto report = (*opened)->recover([&](Message&& m) { recovered.insert(m.id.to_string()); });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->corrupt.empty());
  EXPECT_GE(recovered.size(), acknowledged.size());
  for (const auto& text : acknowledged) {
    ASSERT_TRUE(recovered.count(text)) << "acknowledged message " << text << " was lost";
    auto id = MessageId::parse(text);
    ASSERT_TRUE(id);
    auto body = (*opened)->load_body(*id);
    ASSERT_TRUE(body) << text;
    EXPECT_EQ(**body, *testing::body_for(*id)) << text;
    auto meta = (*opened)->load_message(*id);
    ASSERT_TRUE(meta);
    EXPECT_EQ(*meta, testing::sample_message(*id));
  }
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  RecordProperty("recovered", static_cast<int>(recovered.size()));
}

}  // namespace
}  // namespace impulse::spool
