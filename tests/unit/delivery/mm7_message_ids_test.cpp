// The durable MMSC MessageID -> message id map kept for delivery reports
// (delivery/mm7/mm7_message_ids.hpp, mm7_id_keys.hpp; SPEC §14 "Delivery
// reports"): remember/find, expiry, the capacity limit, bounded sweeps, the
// periodic sweeps (idle and busy), reopening, a closed map, a failing disk,
// the key layout.
#include "delivery/mm7/mm7_message_ids.hpp"

#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <future>
#include <thread>

#include "support/temp_dir.hpp"
#include "support/wal_fault_fs.hpp"

namespace impulse::delivery::mm7 {
namespace {

using namespace std::chrono_literals;

using TempDir = impulse::testing::TempDir;

const WallTime t0 = WallTime{} + std::chrono::seconds(1'700'000'000);

std::shared_ptr<Mm7MessageIds> open_at(const std::string& path, std::size_t capacity = 1000,
                                       std::size_t sweep_batch = 1000) {
  auto opened = Mm7MessageIds::open({.path = path, .capacity = capacity, .sweep_batch = sweep_batch,
                                     .sweep_interval = 0ms, .max_batch_ops = 1024, .problem = {}, .now = {}});
  EXPECT_TRUE(opened.has_value()) << opened.error().message;
  return opened ? *opened : nullptr;
}

Result<void> remember(Mm7MessageIds& ids, std::string remote_id, Mm7Submission s, WallTime expires) {
  std::promise<Result<void>> done;
  auto result = done.get_future();
  ids.remember(std::move(remote_id), std::move(s), expires, [&done](Result<void> r) { done.set_value(std::move(r)); });
  EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
  return result.get();
}

Result<std::size_t> sweep(Mm7MessageIds& ids, WallTime now) {
  std::promise<Result<std::size_t>> done;
  auto result = done.get_future();
  ids.sweep(now, [&done](Result<std::size_t> r) { done.set_value(std::move(r)); });
  EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
  return result.get();
}

// Waits (with a deadline against a hang) until `ids` holds `n` entries.
bool wait_size(const Mm7MessageIds& ids, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (ids.size() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(Mm7MessageIds, RemembersUntilExpiry) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"));
  ASSERT_TRUE(ids);
  ASSERT_TRUE(remember(*ids, "m-1", {"6553F1A0-03-0000002A", "1555@mm7.test"}, t0 + 60s));
  auto found = ids->find("m-1", t0 + 59s);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->message_id, "6553F1A0-03-0000002A");
  EXPECT_EQ(found->recipient, "1555@mm7.test");
  EXPECT_FALSE(ids->find("m-1", t0 + 60s).has_value());
  EXPECT_FALSE(ids->find("m-2", t0).has_value());
  ASSERT_TRUE(remember(*ids, "m-2", {"b", "r"}, t0 + 71s));
  EXPECT_EQ(ids->size(), 2u);
  auto swept = sweep(*ids, t0 + 61s);  // m-1 is gone, m-2 stays
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1u);
  EXPECT_EQ(ids->size(), 1u);
  EXPECT_TRUE(ids->find("m-2", t0 + 61s).has_value());
}

TEST(Mm7MessageIds, CapacityDropsTheSoonestToExpire) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"), 2);
  ASSERT_TRUE(ids);
  ASSERT_TRUE(remember(*ids, "long", {"a", "r"}, t0 + 600s));
  ASSERT_TRUE(remember(*ids, "short", {"b", "r"}, t0 + 60s));
  ASSERT_TRUE(remember(*ids, "new", {"c", "r"}, t0 + 300s));
  EXPECT_EQ(ids->size(), 2u);
  EXPECT_FALSE(ids->find("short", t0).has_value());
  EXPECT_TRUE(ids->find("long", t0).has_value());
  EXPECT_TRUE(ids->find("new", t0).has_value());
  ASSERT_TRUE(remember(*ids, "long", {"d", "r"}, t0 + 10s));  // replaced, not duplicated
  EXPECT_EQ(ids->size(), 2u);
  EXPECT_EQ(ids->find("long", t0)->message_id, "d");
  // The replaced entry's old expiry is gone with it: a sweep past the new
  // expiry removes it, and the other entry stays.
  auto swept = sweep(*ids, t0 + 11s);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1u);
  EXPECT_EQ(ids->size(), 1u);
  EXPECT_TRUE(ids->find("new", t0 + 11s).has_value());
}

TEST(Mm7MessageIds, OneWriteBatchFullOfRemembersKeepsTheCapacity) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"), 3);
  ASSERT_TRUE(ids);
  std::vector<std::future<Result<void>>> results;
  std::vector<std::promise<Result<void>>> promises(50);
  for (int i = 0; i < 50; ++i) {
    results.push_back(promises[i].get_future());
    ids->remember("m-" + std::to_string(i), {"id-" + std::to_string(i), "r"}, t0 + std::chrono::seconds(100 + i),
                  [&promises, i](Result<void> r) { promises[i].set_value(std::move(r)); });
  }
  for (auto& r : results) ASSERT_TRUE(r.get());
  EXPECT_EQ(ids->size(), 3u);
  for (int i = 0; i < 47; ++i) EXPECT_FALSE(ids->find("m-" + std::to_string(i), t0).has_value()) << i;
  for (int i = 47; i < 50; ++i) EXPECT_EQ(ids->find("m-" + std::to_string(i), t0)->message_id, "id-" + std::to_string(i));
}

TEST(Mm7MessageIds, AReopenedMapFindsWhatWasRememberedAndStillExpiresIt) {
  TempDir dir;
  {
    auto ids = open_at(dir.sub("ids"));
    ASSERT_TRUE(ids);
    ASSERT_TRUE(remember(*ids, "mmsc-1", {"6553F1A0-03-0000002A", "15551234567@mm7.test"}, t0 + 600s));
    ASSERT_TRUE(remember(*ids, "mmsc-2", {"6553F1A0-03-0000002B", "15551234568@mm7.test"}, t0 + 30s));
    ids->close();
    EXPECT_FALSE(ids->find("mmsc-1", t0).has_value());  // closed: nothing found
  }
  auto ids = open_at(dir.sub("ids"));
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 2u);
  auto found = ids->find("mmsc-1", t0 + 31s);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->message_id, "6553F1A0-03-0000002A");
  EXPECT_EQ(found->recipient, "15551234567@mm7.test");
  EXPECT_FALSE(ids->find("mmsc-2", t0 + 31s).has_value());
  auto swept = sweep(*ids, t0 + 31s);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1u);
  EXPECT_EQ(ids->size(), 1u);
}

TEST(Mm7MessageIds, ASweepStepIsBoundedAndTheRestFollows) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"), 1000, 2);
  ASSERT_TRUE(ids);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(remember(*ids, "old-" + std::to_string(i), {"x", "r"}, t0 + std::chrono::seconds(10 + i)));
  ASSERT_TRUE(remember(*ids, "live", {"y", "r"}, t0 + 3600s));
  auto first = sweep(*ids, t0 + 60s);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 2u);  // at most sweep_batch per step
  EXPECT_TRUE(wait_size(*ids, 1)) << ids->size();  // the next steps were queued by the map itself
  EXPECT_TRUE(ids->find("live", t0 + 60s).has_value());
  auto last = sweep(*ids, t0 + 60s);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, 0u);
}

TEST(Mm7MessageIds, PeriodicSweepsRemoveExpiredEntriesWhenIdle) {
  TempDir dir;
  auto opened = Mm7MessageIds::open({.path = dir.sub("ids"), .capacity = 100, .sweep_batch = 10,
                                     .sweep_interval = 10ms, .max_batch_ops = 16, .problem = {},
                                     .now = [] { return t0 + 100s; }});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& ids = **opened;
  ASSERT_TRUE(remember(ids, "gone", {"x", "r"}, t0 + 50s));
  ASSERT_TRUE(remember(ids, "kept", {"y", "r"}, t0 + 500s));
  EXPECT_TRUE(wait_size(ids, 1)) << ids.size();
  EXPECT_TRUE(ids.find("kept", t0 + 100s).has_value());
  ids.close();
}

TEST(Mm7MessageIds, PeriodicSweepsRunWhileWritesKeepTheWriterBusy) {
  TempDir dir;
  auto opened = Mm7MessageIds::open({.path = dir.sub("ids"), .capacity = 100000, .sweep_batch = 10,
                                     .sweep_interval = 50ms, .max_batch_ops = 16, .problem = {},
                                     .now = [] { return t0 + 100s; }});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& ids = **opened;
  ASSERT_TRUE(remember(ids, "gone", {"x", "r"}, t0 + 50s));
  // A write every few milliseconds: the writer is never idle for 50 ms, so
  // the due sweep has to ride with a batch.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int n = 0;
  while (ids.size() != static_cast<std::size_t>(n) && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(remember(ids, "busy-" + std::to_string(n), {"y", "r"}, t0 + 500s));
    ++n;
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(n));  // every busy entry, and "gone" swept
  EXPECT_FALSE(ids.find("gone", t0).has_value());
  ids.close();
}

TEST(Mm7MessageIds, AClosedMapRefusesWritesAndAnEmptyIdIsNotKept) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"));
  ASSERT_TRUE(ids);
  auto empty = remember(*ids, "", {"x", "r"}, t0 + 60s);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, EINVAL);
  ids->close();
  ids->close();  // idempotent
  auto closed = remember(*ids, "m-1", {"x", "r"}, t0 + 60s);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ESHUTDOWN);
  EXPECT_EQ(sweep(*ids, t0).error().code, ESHUTDOWN);
}

TEST(Mm7MessageIds, ASecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto ids = open_at(dir.sub("ids"));
  ASSERT_TRUE(ids);
  auto second = Mm7MessageIds::open({.path = dir.sub("ids"), .capacity = 10, .sweep_batch = 10,
                                     .sweep_interval = 0ms, .max_batch_ops = 16, .problem = {}, .now = {}});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, EBUSY) << second.error().message;
  EXPECT_NE(second.error().message.find(dir.sub("ids")), std::string::npos) << second.error().message;
}

TEST(Mm7MessageIds, AFailingDiskFailsTheWritesReportsOnceAndHealsAfterwards) {
  TempDir dir;
  std::atomic<bool> failing{false};
  // WAL appends and syncs fail while `failing` is set (a full or broken disk).
  auto env = rocksdb::NewCompositeEnv(std::make_shared<impulse::testing::WalFaultFs>([&failing] {
    return failing ? rocksdb::IOStatus::NoSpace("test: disk full") : rocksdb::IOStatus::OK();
  }));
  std::mutex mu;
  std::vector<std::string> problems;
  auto opened = Mm7MessageIds::open({.path = dir.sub("ids"), .capacity = 100, .sweep_batch = 10,
                                     .sweep_interval = 0ms, .max_batch_ops = 16,
                                     .problem = [&](std::string_view p) {
                                       std::lock_guard lock(mu);
                                       problems.emplace_back(p);
                                     },
                                     .now = {}, .env = env.get()});
  ASSERT_TRUE(opened) << opened.error().message;
  auto& ids = **opened;
  ASSERT_TRUE(remember(ids, "before", {"a", "r"}, t0 + 600s));
  failing = true;
  auto lost = remember(ids, "during-1", {"b", "r"}, t0 + 600s);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, EIO);
  EXPECT_FALSE(remember(ids, "during-2", {"c", "r"}, t0 + 600s));
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(problems.size(), 1u);  // once for the run of failures
    EXPECT_NE(problems[0].find("delivery reports may be recorded without their message id"), std::string::npos)
        << problems[0];
  }
  failing = false;
  EXPECT_TRUE(remember(ids, "after", {"d", "r"}, t0 + 600s));
  EXPECT_EQ(ids.find("before", t0)->message_id, "a");
  EXPECT_EQ(ids.find("after", t0)->message_id, "d");
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(problems.size(), 1u);
  }
  ids.close();
}

TEST(Mm7IdKeys, EntriesRoundTripAndCorruptValuesAreAbsent) {
  const Mm7IdEntry entry{{"6553F1A0-03-0000002A", "15551234567@mm7.test"}, t0 + 1500ms};
  auto back = mm7_decode_entry(mm7_encode_entry(entry));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->submission.message_id, entry.submission.message_id);
  EXPECT_EQ(back->submission.recipient, entry.submission.recipient);
  EXPECT_EQ(back->expires, entry.expires);
  EXPECT_FALSE(mm7_decode_entry("short").has_value());
  std::string lying = mm7_encode_entry(entry);
  lying[11] = '\x7f';  // message id length beyond the value
  EXPECT_FALSE(mm7_decode_entry(lying).has_value());
}

TEST(Mm7IdKeys, ExpiryKeysSortByTimeThenId) {
  const auto early = mm7_expiry_key(t0 + 1s, "zzz");
  const auto late = mm7_expiry_key(t0 + 256s, "aaa");
  EXPECT_LT(early, late);
  auto decoded = mm7_decode_expiry_key(late);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->expires, t0 + 256s);
  EXPECT_EQ(decoded->remote_id, "aaa");
  EXPECT_FALSE(mm7_decode_expiry_key(mm7_remote_key("aaa")).has_value());
}

}  // namespace
}  // namespace impulse::delivery::mm7
