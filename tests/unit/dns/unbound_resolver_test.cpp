// UnboundResolver against a real nsd (tests/support/nsd_server.hpp) serving
// zones under names libunbound would otherwise answer itself (test.,
// invalid., localhost.), and against a UDP socket that never answers.
#include "dns/unbound_resolver.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/nsd_server.hpp"

namespace impulse::dns {
namespace {

using namespace std::chrono_literals;
using test::NsdServer;

config::IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  config::IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

config::IpAddress v6_loopback() {
  config::IpAddress ip;
  ip.v6 = true;
  ip.bytes[15] = 1;
  return ip;
}

std::string test_zone() {
  return NsdServer::zone_header("test", 300, 120) +
         "multi IN MX 10 mx1.multi\n"
         "multi IN MX 10 mx2.multi\n"
         "multi IN MX 20 mx3.multi\n"
         "mx1.multi 600 IN A 127.0.0.11\n"
         "mx2.multi IN A 127.0.0.12\n"
         "mx3.multi IN A 127.0.0.13\n"
         "nullmx IN MX 0 .\n"
         "implicit IN A 127.0.0.20\n"
         "cnamemx IN MX 10 mxalias.cnamemx\n"
         "mxalias.cnamemx IN CNAME mxreal.cnamemx\n"
         "mxreal.cnamemx 77 IN A 127.0.0.30\n"
         "v6only IN AAAA ::1\n"
         "ttl 4242 IN MX 10 mx1.multi\n";
}

// A UDP socket on 127.0.0.1 that receives queries and never answers.
class SilentUdpServer {
 public:
  SilentUdpServer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
  }
  ~SilentUdpServer() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return port_ != 0; }
  std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

class UnboundResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nsd_ = new NsdServer({
        {"test", test_zone()},
        {"invalid", NsdServer::zone_header("invalid") + "x IN A 127.0.0.40\n"},
        {"localhost", NsdServer::zone_header("localhost") + "mail IN A 127.0.0.41\n"},
    });
    if (!nsd_->start()) start_error_ = new std::string(nsd_->error());
  }
  static void TearDownTestSuite() {
    delete nsd_;
    nsd_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(start_error_, nullptr) << *start_error_; }

  std::unique_ptr<UnboundResolver> make(std::vector<std::string> nameservers,
                                        std::chrono::milliseconds timeout = 10s) {
    ResolverOptions options;
    options.nameservers = std::move(nameservers);
    options.query_timeout = timeout;
    auto r = UnboundResolver::create(io_, options);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : nullptr;
  }

  std::unique_ptr<UnboundResolver> make() { return make({nsd_->nameserver()}); }

  // Runs the loop until `done` holds or nothing is left to run.
  template <class Pred>
  void run_until(Pred done) {
    io_.restart();
    while (!done() && io_.run_one() > 0) {
    }
  }

  Answer ask(Resolver& r, const std::string& name, RecordType type) {
    std::optional<Answer> got;
    r.query(name, type, [&](const Answer& a) { got = a; });
    run_until([&] { return got.has_value(); });
    EXPECT_TRUE(got.has_value()) << "no callback for " << name;
    return got.value_or(Answer{});
  }

  static NsdServer* nsd_;
  static std::string* start_error_;
  boost::asio::io_context io_;
};

NsdServer* UnboundResolverTest::nsd_ = nullptr;
std::string* UnboundResolverTest::start_error_ = nullptr;

TEST_F(UnboundResolverTest, MxRecordsAtEqualAndUnequalPreference) {
  auto r = make();
  auto a = ask(*r, "multi.test", RecordType::MX);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_EQ(a.canonical_name, "multi.test");
  std::vector<std::pair<int, std::string>> got;
  for (auto& mx : a.mx) got.emplace_back(mx.preference, mx.exchange);
  std::sort(got.begin(), got.end());
  std::vector<std::pair<int, std::string>> want = {
      {10, "mx1.multi.test"}, {10, "mx2.multi.test"}, {20, "mx3.multi.test"}};
  EXPECT_EQ(got, want);
  EXPECT_FALSE(a.is_null_mx());
}

TEST_F(UnboundResolverTest, NullMxIsOneRecordWithEmptyExchange) {
  auto r = make();
  auto a = ask(*r, "nullmx.test", RecordType::MX);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_TRUE(a.is_null_mx());
}

TEST_F(UnboundResolverTest, DomainWithOnlyAddressRecordsIsNoDataForMxAndOkForA) {
  auto r = make();
  auto mx = ask(*r, "implicit.test", RecordType::MX);
  EXPECT_EQ(mx.status, Status::NoData) << mx.error_text;
  EXPECT_TRUE(mx.mx.empty());
  auto a = ask(*r, "implicit.test", RecordType::A);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_EQ(a.addresses, std::vector<config::IpAddress>{v4(127, 0, 0, 20)});
}

TEST_F(UnboundResolverTest, NameThatDoesNotExistIsNxDomain) {
  auto r = make();
  EXPECT_EQ(ask(*r, "nope.test", RecordType::MX).status, Status::NxDomain);
  EXPECT_EQ(ask(*r, "nope.test", RecordType::A).status, Status::NxDomain);
}

TEST_F(UnboundResolverTest, CnamedMxHostGivesTheTargetsAddressAndCanonicalName) {
  auto r = make();
  auto mx = ask(*r, "cnamemx.test", RecordType::MX);
  ASSERT_EQ(mx.status, Status::Ok) << mx.error_text;
  ASSERT_EQ(mx.mx.size(), 1u);
  EXPECT_EQ(mx.mx[0].exchange, "mxalias.cnamemx.test");

  auto a = ask(*r, mx.mx[0].exchange, RecordType::A);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_EQ(a.addresses, std::vector<config::IpAddress>{v4(127, 0, 0, 30)});
  EXPECT_EQ(a.canonical_name, "mxreal.cnamemx.test");
  EXPECT_EQ(a.ttl, 77u);  // the smallest TTL along the chain (CNAME 300, A 77)
}

TEST_F(UnboundResolverTest, AaaaOnlyHostIsNoDataForAAndOkForAaaa) {
  auto r = make();
  EXPECT_EQ(ask(*r, "v6only.test", RecordType::A).status, Status::NoData);
  auto a = ask(*r, "v6only.test", RecordType::AAAA);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_EQ(a.addresses, std::vector<config::IpAddress>{v6_loopback()});
}

TEST_F(UnboundResolverTest, TtlsComeBackAsSetInTheZone) {
  auto r = make();
  EXPECT_EQ(ask(*r, "ttl.test", RecordType::MX).ttl, 4242u);
  EXPECT_EQ(ask(*r, "mx1.multi.test", RecordType::A).ttl, 600u);
  EXPECT_EQ(ask(*r, "mx2.multi.test", RecordType::A).ttl, 300u);
  // Negative answers carry the SOA minimum (RFC 2308).
  EXPECT_EQ(ask(*r, "implicit.test", RecordType::MX).ttl, 120u);
  EXPECT_EQ(ask(*r, "nope.test", RecordType::MX).ttl, 120u);
}

TEST_F(UnboundResolverTest, ZoneTheServerDoesNotServeIsServFail) {
  auto r = make();
  auto a = ask(*r, "example.org", RecordType::MX);  // nsd answers REFUSED
  EXPECT_EQ(a.status, Status::ServFail);
  EXPECT_FALSE(a.error_text.empty());
  // The refusal does not make libunbound give up on the server.
  EXPECT_EQ(ask(*r, "multi.test", RecordType::MX).status, Status::Ok);
}

TEST_F(UnboundResolverTest, NamesUnderBuiltinLocalZonesAreAskedOfTheNameservers) {
  auto r = make();
  auto invalid = ask(*r, "x.invalid", RecordType::A);
  ASSERT_EQ(invalid.status, Status::Ok) << invalid.error_text;
  EXPECT_EQ(invalid.addresses, std::vector<config::IpAddress>{v4(127, 0, 0, 40)});
  auto localhost = ask(*r, "mail.localhost", RecordType::A);
  ASSERT_EQ(localhost.status, Status::Ok) << localhost.error_text;
  EXPECT_EQ(localhost.addresses, std::vector<config::IpAddress>{v4(127, 0, 0, 41)});
  // Not served by nsd, so asked and refused rather than answered locally.
  EXPECT_EQ(ask(*r, "x.onion", RecordType::A).status, Status::ServFail);
}

TEST_F(UnboundResolverTest, NamesAreCaseInsensitiveAndMayEndWithADot) {
  auto r = make();
  auto a = ask(*r, "Multi.TEST.", RecordType::MX);
  ASSERT_EQ(a.status, Status::Ok) << a.error_text;
  EXPECT_EQ(a.mx.size(), 3u);
  EXPECT_EQ(a.canonical_name, "multi.test");
}

TEST_F(UnboundResolverTest, InvalidNameIsNxDomainWithoutAnUpstreamQuery) {
  auto r = make();
  auto a = ask(*r, std::string(64, 'a') + ".test", RecordType::MX);
  EXPECT_EQ(a.status, Status::NxDomain);
  EXPECT_EQ(r->upstream_queries(), 0u);
}

TEST_F(UnboundResolverTest, ConcurrentQueriesForTheSameNameShareOneUpstreamQuery) {
  auto r = make();
  std::vector<Answer> got;
  r->query("multi.test", RecordType::MX, [&](const Answer& a) { got.push_back(a); });
  r->query("MULTI.test.", RecordType::MX, [&](const Answer& a) { got.push_back(a); });
  r->query("multi.test", RecordType::A, [&](const Answer& a) { got.push_back(a); });
  EXPECT_EQ(r->upstream_queries(), 2u);  // MX once, A once
  EXPECT_EQ(r->in_flight(), 2u);
  run_until([&] { return got.size() == 3; });
  ASSERT_EQ(got.size(), 3u);
  int mx_answers = 0;
  for (auto& a : got) {
    if (!a.mx.empty()) {
      ++mx_answers;
      EXPECT_EQ(a.mx.size(), 3u);
    }
  }
  EXPECT_EQ(mx_answers, 2);
  EXPECT_EQ(r->in_flight(), 0u);
  EXPECT_EQ(r->upstream_queries(), 2u);
}

TEST_F(UnboundResolverTest, CallbacksAreNeverRunInsideQuery) {
  auto r = make();
  bool answered = false;
  r->query("multi.test", RecordType::MX, [&](const Answer&) { answered = true; });
  EXPECT_FALSE(answered);
  bool rejected = false;  // answered without asking anyone, still posted
  r->query(std::string(300, 'a'), RecordType::A, [&](const Answer&) { rejected = true; });
  EXPECT_FALSE(rejected);
  run_until([&] { return answered && rejected; });
  EXPECT_TRUE(answered);
  EXPECT_TRUE(rejected);
}

TEST_F(UnboundResolverTest, ManyDifferentQueriesInFlightAllGetAnswers) {
  auto r = make();
  const std::vector<std::pair<std::string, RecordType>> queries = {
      {"multi.test", RecordType::MX},      {"nullmx.test", RecordType::MX}, {"implicit.test", RecordType::MX},
      {"implicit.test", RecordType::A},    {"nope.test", RecordType::A},    {"mx1.multi.test", RecordType::A},
      {"mx2.multi.test", RecordType::A},   {"mx3.multi.test", RecordType::A}, {"v6only.test", RecordType::AAAA},
      {"mxalias.cnamemx.test", RecordType::A}, {"x.invalid", RecordType::A}, {"ttl.test", RecordType::MX}};
  std::vector<Status> statuses(queries.size(), Status::Timeout);
  std::size_t answered = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    r->query(queries[i].first, queries[i].second, [&, i](const Answer& a) {
      statuses[i] = a.status;
      ++answered;
    });
  }
  run_until([&] { return answered == queries.size(); });
  ASSERT_EQ(answered, queries.size());
  EXPECT_EQ(statuses[2], Status::NoData);
  EXPECT_EQ(statuses[4], Status::NxDomain);
  for (std::size_t i : {0u, 1u, 3u, 5u, 6u, 7u, 8u, 9u, 10u, 11u}) EXPECT_EQ(statuses[i], Status::Ok) << queries[i].first;
}

TEST_F(UnboundResolverTest, IdleResolverDoesNotKeepTheLoopRunning) {
  auto r = make();
  EXPECT_EQ(ask(*r, "multi.test", RecordType::MX).status, Status::Ok);
  io_.restart();
  io_.run_for(5s);  // returns at once when no work is left
  EXPECT_TRUE(io_.stopped());
  // And it still answers afterwards.
  EXPECT_EQ(ask(*r, "implicit.test", RecordType::A).status, Status::Ok);
}

TEST_F(UnboundResolverTest, SilentServerGivesTimeoutToEveryWaiter) {
  SilentUdpServer silent;
  ASSERT_TRUE(silent.ok());
  auto r = make({silent.nameserver()}, 300ms);
  std::vector<Answer> got;
  r->query("multi.test", RecordType::MX, [&](const Answer& a) { got.push_back(a); });
  r->query("multi.test", RecordType::MX, [&](const Answer& a) { got.push_back(a); });
  EXPECT_EQ(r->upstream_queries(), 1u);
  run_until([&] { return got.size() == 2; });
  ASSERT_EQ(got.size(), 2u);
  for (auto& a : got) {
    EXPECT_EQ(a.status, Status::Timeout);
    EXPECT_FALSE(a.error_text.empty());
    EXPECT_EQ(a.canonical_name, "multi.test");
  }
  EXPECT_EQ(r->in_flight(), 0u);
  // Nothing left to wait for: the loop runs dry instead of watching forever.
  io_.restart();
  io_.run_for(5s);
  EXPECT_TRUE(io_.stopped());
}

TEST_F(UnboundResolverTest, RacingDeadlinesStillGiveExactlyOneCallbackEach) {
  // A 1 ms deadline races nsd's answers: some queries time out and are
  // cancelled while their answers are on the way, later queries reuse the
  // pipe. Whatever wins, each query gets one callback and the loop ends.
  auto r = make({nsd_->nameserver()}, 1ms);
  // Mostly distinct names, so libunbound's cache cannot answer them.
  auto name_of = [](std::size_t n) { return n % 4 == 0 ? std::string("multi.test") : "n" + std::to_string(n) + ".test"; };
  std::vector<int> calls(60, 0);
  std::size_t answered = 0;
  for (std::size_t round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < 20; ++i) {
      std::size_t n = round * 20 + i;
      r->query(name_of(n), RecordType::MX, [&, n](const Answer& a) {
        EXPECT_NE(a.status, Status::ServFail) << a.error_text;
        ++calls[n];
        ++answered;
      });
    }
    run_until([&] { return answered == (round + 1) * 20; });
  }
  io_.restart();
  io_.run_for(5s);
  EXPECT_TRUE(io_.stopped());
  for (std::size_t n = 0; n < calls.size(); ++n) EXPECT_EQ(calls[n], 1) << n;
  EXPECT_EQ(r->in_flight(), 0u);
}

TEST_F(UnboundResolverTest, DestroyingTheResolverAnswersWaitersWithServFail) {
  SilentUdpServer silent;
  ASSERT_TRUE(silent.ok());
  auto r = make({silent.nameserver()}, 60s);
  std::optional<Answer> got;
  r->query("multi.test", RecordType::MX, [&](const Answer& a) { got = a; });
  r.reset();
  EXPECT_FALSE(got.has_value());
  run_until([&] { return got.has_value(); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, Status::ServFail);
}

TEST_F(UnboundResolverTest, Ipv6Nameserver) {
  NsdServer::Options options;
  options.address = "::1";
  NsdServer nsd6({{"test", test_zone()}}, options);
  if (!nsd6.start()) GTEST_SKIP() << "no nsd on ::1: " << nsd6.error();
  auto r = make({nsd6.nameserver()});
  auto a = ask(*r, "multi.test", RecordType::MX);
  EXPECT_EQ(a.status, Status::Ok) << a.error_text;
}

TEST(UnboundResolverCreate, RejectsABadNameserver) {
  boost::asio::io_context io;
  ResolverOptions options;
  options.nameservers = {"dns.example.com:53"};
  auto r = UnboundResolver::create(io, options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("dns.example.com"), std::string::npos) << r.error().message;
}

TEST(UnboundResolverCreate, RejectsAMissingResolvConf) {
  boost::asio::io_context io;
  ResolverOptions options;
  options.resolv_conf = "/nonexistent/impulse/resolv.conf";
  auto r = UnboundResolver::create(io, options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/impulse/resolv.conf"), std::string::npos) << r.error().message;
}

TEST(UnboundResolverCreate, AcceptsAReadableResolvConf) {
  auto path = std::filesystem::temp_directory_path() / ("impulse-resolv-" + std::to_string(::getpid()));
  std::ofstream(path) << "nameserver 127.0.0.1\n";
  boost::asio::io_context io;
  ResolverOptions options;
  options.resolv_conf = path.string();
  auto r = UnboundResolver::create(io, options);
  std::filesystem::remove(path);
  EXPECT_TRUE(r) << r.error().message;
}

}  // namespace
}  // namespace impulse::dns
