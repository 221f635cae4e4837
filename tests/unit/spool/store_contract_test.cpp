// The Store contract (spool/store.hpp), run against every implementation:
// MemoryStore (the test double) must behave like RocksDbStore.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <thread>

#include "spool/memory_store.hpp"
#include "spool/rocksdb_store.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

using testing::body_for;
using testing::commit_and_wait;
using testing::Completions;
using testing::recover_all;
using testing::remove_and_wait;
using testing::sample_message;
using testing::update_and_wait;

class MemoryHarness {
 public:
  std::unique_ptr<Store> open() { return std::make_unique<MemoryStore>(disk_); }

 private:
  std::shared_ptr<MemoryDisk> disk_ = std::make_shared<MemoryDisk>();
};

class RocksDbHarness {
 public:
  std::unique_ptr<Store> open() {
    auto store = RocksDbStore::open(RocksDbStoreOptions{.path = dir_.sub("spool")}, clock_);
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

 private:
  testing::TempDir dir_;
  SystemClock clock_;
};

template <class Harness>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = harness_.open();
    ASSERT_NE(store_, nullptr);
  }
  void reopen() {
    store_->close();
    store_.reset();
    store_ = harness_.open();
    ASSERT_NE(store_, nullptr);
  }
  MessageIdGenerator generator(std::uint8_t lane = 0) { return MessageIdGenerator(store_->id_epoch(), lane); }

  Harness harness_;
  std::unique_ptr<Store> store_;
};

struct HarnessNames {
  template <class T>
  static std::string GetName(int) {
    if (std::is_same_v<T, MemoryHarness>) return "MemoryStore";
    return "RocksDbStore";
  }
};

using Harnesses = ::testing::Types<MemoryHarness, RocksDbHarness>;
TYPED_TEST_SUITE(StoreContract, Harnesses, HarnessNames);

TYPED_TEST(StoreContract, CommitCallbackRunsOnceWithSuccess) {
  auto gen = this->generator();
  Completions done;
  auto id = gen.next();
  this->store_->commit_new(sample_message(id), body_for(id), done.callback());
  ASSERT_TRUE(done.wait_for(1));
  this->store_->close();  // no callback may still be in flight
  EXPECT_EQ(done.ok(), 1u);
  EXPECT_TRUE(done.errors().empty());
  EXPECT_EQ(this->store_->stats().commits, 1u);
}

TYPED_TEST(StoreContract, CommittedMessageIsRecoveredAfterReopen) {
  auto gen = this->generator();
  auto id = gen.next();
  Message m = sample_message(id, 3);
  m.recipients[1].status.retries = 2;
  m.recipients[1].status.last_reply = "451 4.3.0 try later";
  ASSERT_TRUE(commit_and_wait(*this->store_, m, body_for(id)));
  this->reopen();
  auto recovered = recover_all(*this->store_);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], m);
  auto body = this->store_->load_body(id);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(**body, *body_for(id));
}

TYPED_TEST(StoreContract, LoadMessageSeesCompletedCommit) {
  auto gen = this->generator();
  auto id = gen.next();
  Message m = sample_message(id);
  ASSERT_TRUE(commit_and_wait(*this->store_, m, body_for(id)));
  auto loaded = this->store_->load_message(id);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, m);
}

TYPED_TEST(StoreContract, BodyIsStoredByteForByte) {
  auto gen = this->generator();
  auto id = gen.next();
  std::string bytes = "Subject: 8bit\r\n\r\n";
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += "\r\n.\r\n";
  ASSERT_TRUE(commit_and_wait(*this->store_, sample_message(id), std::make_shared<const std::string>(bytes)));
  this->reopen();
  auto body = this->store_->load_body(id);
  ASSERT_TRUE(body);
  EXPECT_EQ(**body, bytes);
}

TYPED_TEST(StoreContract, NullSenderAndEmptyBodyRoundTrip) {
  auto gen = this->generator();
  auto id = gen.next();
  Message m = sample_message(id, 1);
  m.sender.clear();
  m.protocol = Protocol::kInternal;
  m.peer_ip.clear();
  m.size = 0;
  ASSERT_TRUE(commit_and_wait(*this->store_, m, std::make_shared<const std::string>()));
  this->reopen();
  auto recovered = recover_all(*this->store_);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], m);
  auto body = this->store_->load_body(id);
  ASSERT_TRUE(body);
  EXPECT_TRUE((*body)->empty());
}

TYPED_TEST(StoreContract, UnknownIdIsNotFound) {
  MessageId nobody{1, 2, 3};
  auto body = this->store_->load_body(nobody);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ENOENT);
  auto message = this->store_->load_message(nobody);
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error().code, ENOENT);
}

TYPED_TEST(StoreContract, UpdatesPersistAcrossReopen) {
  auto gen = this->generator();
  auto id = gen.next();
  Message m = sample_message(id, 3);
  ASSERT_TRUE(commit_and_wait(*this->store_, m, body_for(id)));

  RecipientStatus delivered{RecipientState::kDelivered, 0, {}, SpoolTime(std::chrono::seconds(1'700'000'100)),
                            "250 2.0.0 ok"};
  RecipientStatus retry{RecipientState::kPending, 1, SpoolTime(std::chrono::seconds(1'700'001'300)),
                        SpoolTime(std::chrono::seconds(1'700'000'100)), "451 4.4.1 [internal] Connection Timed Out"};
  ASSERT_TRUE(update_and_wait(*this->store_, id, {{0, delivered}, {2, retry}}));
  this->reopen();

  auto recovered = recover_all(*this->store_);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].recipients[0].status, delivered);
  EXPECT_EQ(recovered[0].recipients[1].status, m.recipients[1].status);
  EXPECT_EQ(recovered[0].recipients[2].status, retry);
  EXPECT_EQ(recovered[0].recipients[2].address, m.recipients[2].address);
}

TYPED_TEST(StoreContract, UpdateOfUnknownMessageFailsWithNotFound) {
  auto result = update_and_wait(*this->store_, MessageId{7, 0, 1}, {{0, RecipientStatus{}}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ENOENT);
}

TYPED_TEST(StoreContract, UpdateWithBadIndexFailsAndChangesNothing) {
  auto gen = this->generator();
  auto id = gen.next();
  Message m = sample_message(id, 2);
  ASSERT_TRUE(commit_and_wait(*this->store_, m, body_for(id)));
  RecipientStatus delivered{RecipientState::kDelivered, 0, {}, {}, "250 ok"};
  auto result = update_and_wait(*this->store_, id, {{0, delivered}, {2, delivered}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, EINVAL);
  auto loaded = this->store_->load_message(id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, m);
}

TYPED_TEST(StoreContract, RemoveDeletesMessageAndBody) {
  auto gen = this->generator();
  auto keep = gen.next();
  auto drop = gen.next();
  ASSERT_TRUE(commit_and_wait(*this->store_, sample_message(keep), body_for(keep)));
  ASSERT_TRUE(commit_and_wait(*this->store_, sample_message(drop), body_for(drop)));
  ASSERT_TRUE(remove_and_wait(*this->store_, drop));
  EXPECT_EQ(this->store_->load_body(drop).error().code, ENOENT);
  this->reopen();
  auto recovered = recover_all(*this->store_);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].id, keep);
  EXPECT_FALSE(this->store_->load_body(drop));
  EXPECT_FALSE(this->store_->load_message(drop));
}

TYPED_TEST(StoreContract, RemovingAnUnknownIdSucceeds) {
  EXPECT_TRUE(remove_and_wait(*this->store_, MessageId{9, 9, 9}));
}

TYPED_TEST(StoreContract, QueuedWritesApplyInOrderWithoutWaiting) {
  auto gen = this->generator();
  auto a = gen.next();
  auto b = gen.next();
  Completions done;
  RecipientStatus failed{RecipientState::kFailed, 3, {}, {}, "550 5.1.1 no such user"};
  // Nothing waits between these: an update must see the commit queued before
  // it, and a remove must win over both.
  this->store_->commit_new(sample_message(a), body_for(a), done.callback());
  this->store_->update_recipients(a, {{1, failed}}, done.callback());
  this->store_->commit_new(sample_message(b), body_for(b), done.callback());
  this->store_->update_recipients(b, {{0, failed}}, done.callback());
  this->store_->remove(b, done.callback());
  ASSERT_TRUE(done.wait_for(5));
  EXPECT_EQ(done.ok(), 5u);
  this->reopen();
  auto recovered = recover_all(*this->store_);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].id, a);
  EXPECT_EQ(recovered[0].recipients[1].status, failed);
}

TYPED_TEST(StoreContract, RecoverVisitsMessagesInIdOrder) {
  std::vector<MessageId> ids;
  for (std::uint8_t lane : {2, 0, 1}) {
    auto gen = this->generator(lane);
    for (int i = 0; i < 5; ++i) ids.push_back(gen.next());
  }
  for (const auto& id : ids) ASSERT_TRUE(commit_and_wait(*this->store_, sample_message(id, 1), body_for(id, 100)));
  this->reopen();
  auto recovered = recover_all(*this->store_);
  std::vector<MessageId> got;
  for (const auto& m : recovered) got.push_back(m.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(got, ids);
}

TYPED_TEST(StoreContract, IdEpochGrowsOnEveryOpen) {
  auto first = this->store_->id_epoch();
  this->reopen();
  auto second = this->store_->id_epoch();
  this->reopen();
  auto third = this->store_->id_epoch();
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TYPED_TEST(StoreContract, ConcurrentCommitsCompleteOnceAndAllRecover) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  Completions done;
  std::vector<std::vector<MessageId>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      MessageIdGenerator gen(this->store_->id_epoch(), static_cast<std::uint8_t>(t));
      for (int i = 0; i < kPerThread; ++i) {
        auto id = gen.next();
        ids[t].push_back(id);
        this->store_->commit_new(sample_message(id, 1), body_for(id, 512), done.callback());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(done.wait_for(kThreads * kPerThread));
  this->store_->close();
  EXPECT_EQ(done.total(), static_cast<std::size_t>(kThreads * kPerThread));  // each exactly once
  EXPECT_EQ(done.ok(), static_cast<std::size_t>(kThreads * kPerThread));
  auto stats = this->store_->stats();
  EXPECT_EQ(stats.commits, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.batches, stats.commits);

  this->reopen();
  std::set<MessageId> recovered;
  for (const auto& m : recover_all(*this->store_)) recovered.insert(m.id);
  EXPECT_EQ(recovered.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const auto& per_thread : ids)
    for (const auto& id : per_thread) EXPECT_TRUE(recovered.count(id)) << id.to_string();
}

TYPED_TEST(StoreContract, CloseCompletesQueuedWrites) {
  auto gen = this->generator();
  Completions done;
  for (int i = 0; i < 50; ++i) {
    auto id = gen.next();
    this->store_->commit_new(sample_message(id, 1), body_for(id, 256), done.callback());
  }
  this->store_->close();
  EXPECT_EQ(done.total(), 50u);  // no waiting: close() ran them all
  EXPECT_EQ(done.ok(), 50u);
}

TYPED_TEST(StoreContract, WritesAfterCloseFailWithAnError) {
  this->store_->close();
  auto gen = this->generator();
  auto id = gen.next();
  Completions done;
  this->store_->commit_new(sample_message(id), body_for(id), done.callback());
  this->store_->update_recipients(id, {}, done.callback());
  this->store_->remove(id, done.callback());
  EXPECT_EQ(done.total(), 3u);  // inline, before the calls returned
  auto errors = done.errors();
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& e : errors) EXPECT_EQ(e.code, ESHUTDOWN) << e.message;
  EXPECT_FALSE(this->store_->load_body(id));
  EXPECT_FALSE(this->store_->recover([](Message&&) {}));
}

}  // namespace
}  // namespace impulse::spool
