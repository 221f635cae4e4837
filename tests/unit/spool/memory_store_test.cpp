// MemoryStore's test controls: deferred completion, crash, injected write
// failures (the contract itself is in store_contract_test.cpp).
#include "spool/memory_store.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "test_support.hpp"

namespace impulse::spool {
namespace {

using testing::body_for;
using testing::Completions;
using testing::sample_message;

TEST(MemoryStore, DeferredModeHoldsCallbacksUntilCompleted) {
  auto disk = std::make_shared<MemoryDisk>();
  MemoryStore store(disk, MemoryStore::Mode::kDeferred);
  MessageIdGenerator gen(store.id_epoch(), 0);
  Completions done;
  for (int i = 0; i < 3; ++i) {
    auto id = gen.next();
    store.commit_new(sample_message(id), body_for(id), done.callback());
  }
  EXPECT_EQ(done.total(), 0u);
  EXPECT_EQ(store.pending(), 3u);
  EXPECT_EQ(disk->message_count(), 0u);  // not durable yet
  EXPECT_EQ(store.complete_pending(), 3u);
  EXPECT_EQ(done.ok(), 3u);
  EXPECT_EQ(disk->message_count(), 3u);
  EXPECT_EQ(store.stats().batches, 1u);
}

TEST(MemoryStore, CrashLosesOnlyWritesNotYetCompleted) {
  auto disk = std::make_shared<MemoryDisk>();
  MessageId kept, lost;
  Completions done;
  {
    MemoryStore store(disk, MemoryStore::Mode::kDeferred);
    MessageIdGenerator gen(store.id_epoch(), 0);
    kept = gen.next();
    lost = gen.next();
    store.commit_new(sample_message(kept), body_for(kept), done.callback());
    store.complete_pending();
    store.commit_new(sample_message(lost), body_for(lost), done.callback());
    store.crash();
  }
  EXPECT_EQ(done.total(), 1u);  // the lost write never answered
  MemoryStore reopened(disk);
  auto recovered = testing::recover_all(reopened);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].id, kept);
}

TEST(MemoryStore, InjectedFailureReachesTheCallback) {
  MemoryStore store;
  MessageIdGenerator gen(store.id_epoch(), 0);
  store.fail_writes(Error{"No space left on device", ENOSPC});
  auto id = gen.next();
  auto result = testing::commit_and_wait(store, sample_message(id), body_for(id));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ENOSPC);
  EXPECT_FALSE(store.load_message(id));
  store.fail_writes(std::nullopt);
  EXPECT_TRUE(testing::commit_and_wait(store, sample_message(id), body_for(id)));
  EXPECT_EQ(store.stats().failed, 1u);
}

}  // namespace
}  // namespace impulse::spool
