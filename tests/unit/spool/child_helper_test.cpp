// The child side of child_process.hpp: a disabled test that only runs when a
// parent test starts this binary with IMPULSE_SPOOL_CHILD_MODE set. Modes:
//   commit_forever  commit messages from 4 threads until killed; print each
//                   id on the report pipe only after its on_durable(ok)
//   hold_lock       open the spool, print "ready", wait for stdin to close
//   disk_full       with RLIMIT_FSIZE at 1 MiB: commit a small message, then
//                   one larger than the limit, then a small one again;
//                   print each outcome and what is stored afterwards
// The child ends with _exit() so nothing of gtest's teardown runs after it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <semaphore>
#include <thread>

#include "child_process.hpp"
#include "spool/rocksdb_store.hpp"
#include "test_support.hpp"

namespace impulse::spool {
namespace {

void report(const std::string& line) {
  std::string out = line + "\n";
  // Lines are far below PIPE_BUF, so each write is atomic.
  [[maybe_unused]] auto n = ::write(testing::kReportFd, out.data(), out.size());
}

std::string outcome(const Result<void>& r) { return r ? "ok" : "ERR " + r.error().message; }

[[noreturn]] void commit_forever(const std::string& dir) {
  SystemClock clock;
  auto store = RocksDbStore::open(RocksDbStoreOptions{.path = dir}, clock);
  if (!store) {
    report("ERR " + store.error().message);
    ::_exit(1);
  }
  Store& s = **store;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&s, t] {
      MessageIdGenerator gen(s.id_epoch(), static_cast<std::uint8_t>(t));
      std::counting_semaphore<16> window(16);  // commits in flight per thread
      for (;;) {
        window.acquire();
        auto id = gen.next();
        s.commit_new(testing::sample_message(id), testing::body_for(id), [id, &window](Result<void> r) {
          report(r ? id.to_string() : "ERR " + r.error().message);
          window.release();
        });
      }
    });
  }
  for (auto& t : threads) t.join();  // never: the parent kills us
  ::_exit(0);
}

[[noreturn]] void hold_lock(const std::string& dir) {
  SystemClock clock;
  auto store = RocksDbStore::open(RocksDbStoreOptions{.path = dir}, clock);
  if (!store) {
    report("ERR " + store.error().message);
    ::_exit(1);
  }
  report("ready");
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  (*store)->close();
  ::_exit(0);
}

[[noreturn]] void disk_full(const std::string& dir) {
  ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
  struct rlimit limit = {1u << 20, 1u << 20};
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
    report("ERR setrlimit");
    ::_exit(1);
  }
  SystemClock clock;
  auto store = RocksDbStore::open(RocksDbStoreOptions{.path = dir}, clock);
  if (!store) {
    report("open ERR " + store.error().message);
    ::_exit(0);
  }
  MessageIdGenerator gen((*store)->id_epoch(), 0);
  auto small = gen.next();
  report("small " + outcome(testing::commit_and_wait(**store, testing::sample_message(small),
                                                     testing::body_for(small, 1024))));
  auto big = gen.next();
  report("big " + outcome(testing::commit_and_wait(**store, testing::sample_message(big),
                                                   testing::body_for(big, 2u << 20))));
  auto after = gen.next();
  report("after " + outcome(testing::commit_and_wait(**store, testing::sample_message(after),
                                                     testing::body_for(after, 1024))));
  report((*store)->load_body(small) ? "small still stored" : "small lost");
  report((*store)->load_message(big) ? "big present" : "big absent");
  (*store)->close();
  report("closed");
  ::_exit(0);
}

TEST(SpoolChildProcess, DISABLED_Helper) {
  const char* mode = std::getenv(testing::kModeVar);
  const char* dir = std::getenv(testing::kDirVar);
  if (mode == nullptr || dir == nullptr) GTEST_SKIP() << "only run as a child of a spool test";
  std::string m = mode;
  if (m == "commit_forever") commit_forever(dir);
  if (m == "hold_lock") hold_lock(dir);
  if (m == "disk_full") disk_full(dir);
  report("ERR unknown mode " + m);
  ::_exit(2);
}

}  // namespace
}  // namespace impulse::spool
