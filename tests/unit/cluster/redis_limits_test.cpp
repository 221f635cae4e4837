// RedisLimits against a real, private redis-server (started on a free
// loopback port by the fixture, killed by PID): leases shared by two nodes,
// released and expired; shared GCRA tokens; degraded local share and
// closed mode; the Redis address parser.
#include "cluster/redis_limits.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/redis_link.hpp"
#include "cluster/redis_scripts.hpp"
#include "config/redis_address.hpp"

namespace impulse::cluster {
namespace {

using namespace std::chrono_literals;
using routing::ClusterVerdict;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <class F>
bool eventually(F f, std::chrono::milliseconds within = 10s) {
  const auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

class RedisServer {
 public:
  explicit RedisServer(int port) : port_(port) { start(); }
  ~RedisServer() { kill(); }
  void start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string p = std::to_string(port_);
      ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--logfile", "/dev/null", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

ClusterSettings settings_for(int port, std::string node, bool closed = false) {
  ClusterSettings s;
  s.redis = *config::parse_redis_address("127.0.0.1:" + std::to_string(port));
  s.redis_text = "127.0.0.1:" + std::to_string(port);
  s.node_name = std::move(node);
  s.lease_time = 3s;
  s.fail_closed = closed;
  s.expected_nodes = 2;
  s.redis_timeout = 500ms;
  s.check_interval = 200ms;
  return s;
}

// Asks until granted or denied (a wait is answered by the worker).
routing::ClusterAnswer acquire(RedisLimits& limits, const std::string& key, std::int64_t limit) {
  routing::ClusterAnswer a;
  eventually([&] {
    a = limits.acquire_connection(key, limit, {});
    return a.verdict != ClusterVerdict::kWait;
  });
  return a;
}

class RedisLimitsTest : public ::testing::Test {
 protected:
  RedisServer redis_{free_port()};
  std::vector<std::string> problems_;
  std::mutex mutex_;
  std::unique_ptr<RedisLimits> make(std::string node, bool closed = false) {
    auto l = std::make_unique<RedisLimits>(settings_for(redis_.port(), std::move(node), closed),
                                           [this](std::string_view t) {
                                             std::lock_guard lock(mutex_);
                                             problems_.emplace_back(t);
                                           });
    l->start();
    EXPECT_TRUE(eventually([&] { return l->connected(); }));
    return l;
  }
};

TEST_F(RedisLimitsTest, LeasesAreSharedByNodesUpToTheLimit) {
  auto a = make("a");
  auto b = make("b");
  const auto a1 = acquire(*a, "k", 3);
  const auto a2 = acquire(*a, "k", 3);
  const auto b1 = acquire(*b, "k", 3);
  EXPECT_EQ(a1.verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(a2.verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(b1.verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(acquire(*b, "k", 3).verdict, ClusterVerdict::kDenied);
  // Another key is not affected.
  EXPECT_EQ(acquire(*b, "other", 3).verdict, ClusterVerdict::kGranted);
  // A release frees a slot for the other node.
  a->release_connection("k", a1.lease);
  EXPECT_TRUE(eventually([&] { return b->acquire_connection("k", 3, {}).verdict == ClusterVerdict::kGranted; }));
}

TEST_F(RedisLimitsTest, ADeadNodesLeasesExpireWhileALiveNodesAreRenewed) {
  auto b = make("b");
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(acquire(*b, "k", 2).verdict, ClusterVerdict::kGranted);  // renewed while b lives (lease 3 s)
  // A node that took a 2 s lease and died: nobody renews or releases it.
  RedisLink dead;
  ASSERT_TRUE(dead.connect(*config::parse_redis_address("127.0.0.1:" + std::to_string(redis_.port())), 1s));
  auto took = dead.command({"EVAL", std::string(kAcquireLease), "1", "impulse:lease:k", "2", "2000", "dead:1"});
  ASSERT_TRUE(took);
  ASSERT_EQ(took->integer, 1);
  auto c = make("c");
  EXPECT_EQ(acquire(*c, "k", 2).verdict, ClusterVerdict::kDenied);
  EXPECT_TRUE(eventually([&] { return c->acquire_connection("k", 2, {}).verdict == ClusterVerdict::kGranted; }, 8s));
  // Past b's own lease time, b's renewed lease still holds its slot.
  eventually([&] { return std::chrono::steady_clock::now() - started > 4s; }, 6s);
  EXPECT_EQ(acquire(*c, "k", 2).verdict, ClusterVerdict::kDenied);
}

TEST_F(RedisLimitsTest, TokensAreSharedAcrossNodes) {
  auto a = make("a");
  auto b = make("b");
  const config::RateSpec rate{10, 60};  // 10 per minute: no refill during the test
  int granted = 0;
  for (int i = 0; i < 40; ++i) {
    RedisLimits& n = i % 2 ? *a : *b;
    routing::ClusterAnswer ans;
    eventually([&] {
      ans = n.take_token("t", rate, {});
      return ans.verdict != ClusterVerdict::kWait;
    });
    if (ans.verdict == ClusterVerdict::kGranted) ++granted;
  }
  EXPECT_EQ(granted, 10);
}

// fetch_tokens' answer, waited for (the worker calls `done` on its thread).
routing::TokenBatch fetch(RedisLimits& limits, const std::string& key, const config::RateSpec& rate,
                          std::int64_t wanted) {
  std::mutex m;
  std::optional<routing::TokenBatch> got;
  if (auto now = limits.fetch_tokens(key, rate, wanted, [&](routing::TokenBatch b) {
        std::lock_guard lock(m);
        got = b;
      }))
    return *now;
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(m);
    return got.has_value();
  }));
  std::lock_guard lock(m);
  return got.value_or(routing::TokenBatch{});
}

TEST_F(RedisLimitsTest, AFetchGrantsABatchUpToTheNodesShareOfATenthOfASecond) {
  auto a = make("a");
  const auto before = std::chrono::steady_clock::now();
  // 1000/s over 2 expected nodes: at most 50 tokens per fetch.
  const auto big = fetch(*a, "f", {1000, 1}, 500);
  EXPECT_EQ(big.tokens, 50);
  EXPECT_GE(big.until, before + 100ms);  // to be spent within the time they stand for
  EXPECT_EQ(fetch(*a, "f", {1000, 1}, 7).tokens, 7);
  EXPECT_EQ(fetch(*a, "f", {1000, 1}, 0).tokens, 1);
}

TEST_F(RedisLimitsTest, FetchedBatchesOfTwoNodesStayWithinTheSharedRate) {
  auto a = make("a");
  auto b = make("b");
  // 100 per 10 s: a fetch gets at most max(1, 100 / (10 s * 10 * 2)) = 1
  // token, and the bucket refills one token per 100 ms, slower than the
  // fetches drain it even on a loaded machine (the bucket must run dry for
  // the last two checks; with 100/s a fetch slower than 10 ms never saw 0).
  const config::RateSpec rate{100, 10};
  const auto start = std::chrono::steady_clock::now();
  std::int64_t granted = 0;
  routing::TokenBatch last;
  auto asked = start;
  for (int i = 0; i < 3000 && std::chrono::steady_clock::now() - start < 60s; ++i) {
    asked = std::chrono::steady_clock::now();
    last = fetch(i % 2 ? *a : *b, "shared", rate, 10);
    EXPECT_LE(last.tokens, 1);
    granted += last.tokens;
    if (last.tokens == 0) break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(granted, 100);                                          // the burst, shared by both
  EXPECT_LE(granted, 100 + static_cast<std::int64_t>(10 * seconds) + 1);  // and what refilled meanwhile
  EXPECT_EQ(last.tokens, 0);
  EXPECT_GT(last.retry_at, asked);  // when to ask again: after it was asked
}

TEST_F(RedisLimitsTest, DegradedFetchesAreAnsweredAtOnce) {
  auto shared = make("s");
  auto closed = make("c", true);
  redis_.kill();
  EXPECT_TRUE(eventually([&] { return !shared->connected() && !closed->connected(); }, 10s));
  const auto now = std::chrono::steady_clock::now();
  auto never = [](routing::TokenBatch) { ADD_FAILURE() << "a degraded fetch is answered at once"; };
  // local_share: floor(4 / 2) = 2 per second here, one token per fetch.
  auto s1 = shared->fetch_tokens("t", {4, 1}, 100, never);
  auto s2 = shared->fetch_tokens("t", {4, 1}, 100, never);
  auto s3 = shared->fetch_tokens("t", {4, 1}, 100, never);
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_EQ(s1->tokens, 1);
  EXPECT_EQ(s2->tokens, 1);
  EXPECT_EQ(s3->tokens, 0);
  EXPECT_GT(s3->retry_at, now);
  auto c = closed->fetch_tokens("t", {4, 1}, 100, never);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->tokens, 0);
  EXPECT_GE(c->retry_at, now + 900ms);
}

TEST_F(RedisLimitsTest, APipelineAnswersEachCommandInOrder) {
  RedisLink link;
  ASSERT_TRUE(eventually([&] {  // the server may still be starting
    return link.connect(*config::parse_redis_address("127.0.0.1:" + std::to_string(redis_.port())), 1s).has_value();
  }));
  auto r = link.pipeline({{"SET", "p", "1"}, {"INCR", "p"}, {"HGET", "p", "x"}, {"INCR", "p"}});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0]->text, "OK");
  EXPECT_EQ((*r)[1]->integer, 2);
  EXPECT_FALSE((*r)[2].has_value());  // WRONGTYPE: that command's error, not the link's
  EXPECT_EQ((*r)[3]->integer, 3);
  EXPECT_TRUE(link.usable());
}

TEST_F(RedisLimitsTest, EveryKeysLeasesAreRenewedWhileTheNodeLives) {
  auto a = make("a");  // lease 3 s, renewed every second in one pipeline
  for (const char* key : {"r1", "r2", "r3"}) ASSERT_EQ(acquire(*a, key, 1).verdict, ClusterVerdict::kGranted);
  RedisLink probe;
  ASSERT_TRUE(probe.connect(*config::parse_redis_address("127.0.0.1:" + std::to_string(redis_.port())), 1s));
  // Past the lease time, every key still holds its lease...
  const auto until = std::chrono::steady_clock::now() + 4500ms;
  while (std::chrono::steady_clock::now() < until) {
    for (const char* key : {"r1", "r2", "r3"}) {
      auto n = probe.command({"ZCARD", std::string("impulse:lease:") + key});
      ASSERT_TRUE(n.has_value());
      ASSERT_EQ(n->integer, 1) << key;
    }
    std::this_thread::sleep_for(100ms);
  }
  // ...so another node finds them full.
  auto b = make("b");
  for (const char* key : {"r1", "r2", "r3"}) EXPECT_EQ(acquire(*b, key, 1).verdict, ClusterVerdict::kDenied) << key;
}

TEST_F(RedisLimitsTest, DegradedLocalShareAndClosedModes) {
  auto shared = make("s");
  auto closed = make("c", true);
  std::size_t before = 0;
  {
    std::lock_guard lock(mutex_);
    before = problems_.size();  // a node started before Redis listened says so too
  }
  redis_.kill();
  EXPECT_TRUE(eventually([&] { return !shared->connected() && !closed->connected(); }, 10s));
  // local_share: floor(5 / 2) = 2 connections on this node.
  EXPECT_EQ(shared->acquire_connection("k", 5, {}).verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(shared->acquire_connection("k", 5, {}).verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(shared->acquire_connection("k", 5, {}).verdict, ClusterVerdict::kDenied);
  EXPECT_EQ(closed->acquire_connection("k", 5, {}).verdict, ClusterVerdict::kDenied);
  EXPECT_EQ(closed->take_token("t", {100, 1}, {}).verdict, ClusterVerdict::kDenied);
  redis_.start();
  EXPECT_TRUE(eventually([&] { return shared->connected() && closed->connected(); }, 10s));
  std::lock_guard lock(mutex_);
  int degraded = 0, connected = 0;
  for (std::size_t i = before; i < problems_.size(); ++i) {
    const std::string& p = problems_[i];
    if (p.starts_with("cluster: degraded")) ++degraded;
    if (p.starts_with("cluster: connected")) ++connected;
  }
  EXPECT_EQ(degraded, 2);   // once per node
  EXPECT_EQ(connected, 2);  // back, once per node
}

TEST_F(RedisLimitsTest, LocalShareLeasesAreRegisteredWhenRedisReturns) {
  auto a = make("a");
  redis_.kill();
  EXPECT_TRUE(eventually([&] { return !a->connected(); }, 10s));
  // Two connections opened on the local share (floor(4 / 2)) while Redis is away.
  const auto l1 = a->acquire_connection("k", 4, {});
  const auto l2 = a->acquire_connection("k", 4, {});
  ASSERT_EQ(l1.verdict, ClusterVerdict::kGranted);
  ASSERT_EQ(l2.verdict, ClusterVerdict::kGranted);
  redis_.start();  // empty: it kept nothing
  EXPECT_TRUE(eventually([&] { return a->connected(); }, 10s));
  RedisLink probe;
  ASSERT_TRUE(eventually([&] {
    return probe.connect(*config::parse_redis_address("127.0.0.1:" + std::to_string(redis_.port())), 1s)
        .has_value();
  }));
  auto count = [&] {
    auto r = probe.command({"ZCARD", "impulse:lease:k"});
    return r ? r->integer : -1;
  };
  EXPECT_TRUE(eventually([&] { return count() == 2; }, 5s)) << count();
  // Another node sees them: only 2 of the 4 slots are left to it.
  auto b = make("b");
  EXPECT_EQ(acquire(*b, "k", 4).verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(acquire(*b, "k", 4).verdict, ClusterVerdict::kGranted);
  EXPECT_EQ(acquire(*b, "k", 4).verdict, ClusterVerdict::kDenied);
  // Closing an adopted connection releases its lease in Redis.
  a->release_connection("k", l1.lease);
  EXPECT_TRUE(eventually([&] { return count() == 3; }, 5s)) << count();
}

TEST(RedisAddress, Forms) {
  auto a = config::parse_redis_address("10.0.0.1:6380");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.0.0.1");
  EXPECT_EQ(a->port, 6380);
  auto u = config::parse_redis_address("redis://user:pw@[::1]:7000/3");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 7000);
  EXPECT_EQ(u->user, "user");
  EXPECT_EQ(u->password, "pw");
  EXPECT_EQ(u->db, 3);
  auto s = config::parse_redis_address("/run/redis.sock");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->socket_path, "/run/redis.sock");
  EXPECT_EQ(config::parse_redis_address("localhost")->port, 6379);
  EXPECT_FALSE(config::parse_redis_address("host:notaport"));
  EXPECT_FALSE(config::parse_redis_address("http://x"));
  EXPECT_FALSE(config::parse_redis_address(""));
}

}  // namespace
}  // namespace impulse::cluster
