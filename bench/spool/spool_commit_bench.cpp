// spool_commit_bench: how fast the RocksDB spool acknowledges new messages.
// K threads each run W "sessions"; a session commits a message and waits for
// its on_durable callback before committing the next (as an SMTP session
// waits for the spool before its 250). Prints commits/s, synced batches per
// commit and commit latency. Build and run: see bench/spool/README.md.
//
// Usage: spool_commit_bench [--messages N] [--threads K] [--inflight W]
//                           [--size BYTES] [--dir PATH] [--keep]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "spool/rocksdb_store.hpp"

using namespace impulse;
using namespace impulse::spool;
using Steady = std::chrono::steady_clock;

namespace {

struct Args {
  std::size_t messages = 100000;
  int threads = 8;
  int inflight = 1;
  std::size_t size = 4096;
  std::string dir;
  bool keep = false;
};

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (k == "--keep") {
      a.keep = true;
    } else if ((k == "--messages" || k == "--threads" || k == "--inflight" || k == "--size" || k == "--dir") &&
               (v = value()) != nullptr) {
      if (k == "--messages") a.messages = std::strtoull(v, nullptr, 10);
      if (k == "--threads") a.threads = std::atoi(v);
      if (k == "--inflight") a.inflight = std::atoi(v);
      if (k == "--size") a.size = std::strtoull(v, nullptr, 10);
      if (k == "--dir") a.dir = v;
    } else {
      return false;
    }
  }
  return a.threads > 0 && a.threads <= 255 && a.inflight > 0 && a.inflight <= 4096 && a.messages > 0;
}

Message make_message(const MessageId& id, std::size_t size) {
  Message m;
  m.id = id;
  m.received = to_spool_time(std::chrono::system_clock::now());
  m.sender = "bench@origin.test";
  m.peer_ip = "127.0.0.1";
  m.size = size;
  Recipient r;
  r.address = "rcpt" + std::to_string(id.seq % 1000) + "@example.test";
  r.local_part = "rcpt" + std::to_string(id.seq % 1000);
  r.domain = "example.test";
  m.recipients.push_back(std::move(r));
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: %s [--messages N] [--threads K] [--inflight W] [--size BYTES] [--dir PATH] [--keep]\n",
                 argv[0]);
    return 2;
  }
  bool made_dir = false;
  if (args.dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "impulse-spool-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    args.dir = tmpl;
    made_dir = true;
  }
  SystemClock clock;
  auto opened = RocksDbStore::open(RocksDbStoreOptions{.path = args.dir + "/spool"}, clock);
  if (!opened) {
    std::fprintf(stderr, "spool_commit_bench: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& store = **opened;

  // One shared body: the bench measures the spool, not body generation.
  std::string body_text = "Subject: spool bench\r\n\r\n";
  while (body_text.size() < args.size) body_text += "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV\r\n";
  body_text.resize(args.size);
  auto body = std::make_shared<const std::string>(body_text);

  std::atomic<std::size_t> next{0}, failures{0};
  std::mutex lat_mu;
  std::vector<double> latencies_us;
  latencies_us.reserve(args.messages);

  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < args.threads; ++t) {
    threads.emplace_back([&, t] {
      MessageIdGenerator gen(store.id_epoch(), static_cast<std::uint8_t>(t));
      std::counting_semaphore<4096> window(args.inflight);
      std::vector<double> mine;
      std::mutex mine_mu;
      while (next.fetch_add(1) < args.messages) {
        window.acquire();
        auto id = gen.next();
        auto t0 = Steady::now();
        store.commit_new(make_message(id, args.size), body, [&, t0](Result<void> r) {
          auto us = std::chrono::duration<double, std::micro>(Steady::now() - t0).count();
          if (!r) failures.fetch_add(1);
          {
            std::lock_guard lock(mine_mu);
            mine.push_back(us);
          }
          window.release();
        });
      }
      for (int i = 0; i < args.inflight; ++i) window.acquire();  // all of this thread's commits are durable
      std::lock_guard lock(lat_mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  auto stats = store.stats();
  store.close();

  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double p) {
    return latencies_us.empty() ? 0.0 : latencies_us[static_cast<std::size_t>(p * (latencies_us.size() - 1))];
  };
  double commits = static_cast<double>(stats.commits);
  std::printf("spool_commit_bench: %zu messages of %zu bytes, %d threads x %d in flight, spool %s\n", args.messages,
              args.size, args.threads, args.inflight, args.dir.c_str());
  std::printf("  elapsed          %.3f s\n", seconds);
  std::printf("  commits/s        %.0f\n", commits / seconds);
  std::printf("  body MB/s        %.1f\n", commits * static_cast<double>(args.size) / seconds / 1e6);
  std::printf("  synced batches   %llu\n", static_cast<unsigned long long>(stats.batches));
  std::printf("  syncs per commit %.4f (%.1f commits per sync)\n", stats.batches / commits, commits / stats.batches);
  std::printf("  latency us       p50 %.0f  p99 %.0f  max %.0f\n", pct(0.50), pct(0.99), pct(1.0));
  std::printf("  failed commits   %zu\n", failures.load());

  if (made_dir && !args.keep) {
    std::error_code ec;
    std::filesystem::remove_all(args.dir, ec);
  }
  return failures.load() == 0 ? 0 : 1;
}
