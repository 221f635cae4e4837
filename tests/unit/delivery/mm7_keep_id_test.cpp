// keep_message_id (delivery/mm7/mm7_keep_id.hpp): an MM7 session waits for
// the MMSC's MessageID to be durable before reporting the delivery, but no
// longer than its deadline: a disk that hangs under the map's WAL costs the
// session `wait`, one problem line, and the delivery goes on; a healthy disk
// resumes it as soon as the write is synced.
#include "delivery/mm7/mm7_keep_id.hpp"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/wal_fault_fs.hpp"

namespace impulse::delivery::mm7 {
namespace {

using namespace std::chrono_literals;

const WallTime kStart = WallTime{} + std::chrono::seconds(1'700'000'000);

struct Map {
  boost::asio::io_context io;  // outlives ids: a write finishing late still posts here
  impulse::testing::TempDir dir;
  std::atomic<bool> hanging{false};
  // WAL writes block while `hanging` is set (at most 30 s, so a broken test
  // cannot hang the suite).
  std::unique_ptr<rocksdb::Env> env =
      rocksdb::NewCompositeEnv(std::make_shared<impulse::testing::WalFaultFs>([this] {
        const auto limit = std::chrono::steady_clock::now() + 30s;
        while (hanging && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(1ms);
        return rocksdb::IOStatus::OK();
      }));
  std::mutex mu;
  std::vector<std::string> problems;
  std::shared_ptr<Mm7MessageIds> ids;

  Map() {
    auto opened = Mm7MessageIds::open({.path = dir.sub("ids"), .capacity = 100, .sweep_batch = 10,
                                       .sweep_interval = 0ms, .max_batch_ops = 16,
                                       .problem = [this](std::string_view p) {
                                         std::lock_guard lock(mu);
                                         problems.emplace_back(p);
                                       },
                                       .now = {}, .env = env.get()});
    EXPECT_TRUE(opened) << opened.error().message;
    if (opened) ids = *opened;
  }
  ~Map() {
    hanging = false;
    if (ids) ids->close();
  }
  // Runs keep_message_id on io until it returns; how long it took.
  std::chrono::steady_clock::duration keep(std::string remote_id, std::chrono::milliseconds wait) {
    bool finished = false;
    io.restart();
    boost::asio::co_spawn(io, keep_message_id(*ids, std::move(remote_id), {"msg-1", "r@example.com"}, kStart + 600s, wait),
                          [&](std::exception_ptr e) {
                            EXPECT_FALSE(e);
                            finished = true;
                          });
    const auto start = std::chrono::steady_clock::now();
    io.run_for(20s);
    EXPECT_TRUE(finished);
    return std::chrono::steady_clock::now() - start;
  }
};

TEST(Mm7KeepId, AHealthyWriteResumesTheSessionOnceDurable) {
  Map m;
  ASSERT_TRUE(m.ids);
  const auto took = m.keep("mmsc-1", 10'000ms);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(m.ids->find("mmsc-1", kStart)->message_id, "msg-1");  // durable before the session went on
  std::lock_guard lock(m.mu);
  EXPECT_TRUE(m.problems.empty());
}

TEST(Mm7KeepId, AHangingDiskCostsTheSessionItsDeadlineAndOneProblemLine) {
  Map m;
  ASSERT_TRUE(m.ids);
  m.hanging = true;
  const auto took = m.keep("mmsc-2", 300ms);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);  // the deadline, not the disk, ended the wait
  {
    std::lock_guard lock(m.mu);
    ASSERT_EQ(m.problems.size(), 1u);
    EXPECT_NE(m.problems[0].find("MessageID mmsc-2 took longer than 300 ms"), std::string::npos) << m.problems[0];
  }
  m.hanging = false;  // the write completes later; the entry is still kept
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!m.ids->find("mmsc-2", kStart) && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(m.ids->find("mmsc-2", kStart));
}

}  // namespace
}  // namespace impulse::delivery::mm7
