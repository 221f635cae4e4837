// The nsd fixture itself (tests/support/nsd_server.hpp).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "support/nsd_server.hpp"

namespace impulse::test {
namespace {

constexpr std::uint16_t kSoa = 6;
constexpr std::uint16_t kA = 1;

TEST(NsdServerFixture, ServesTheZoneAndCleansUpAfterStop) {
  std::filesystem::path dir;
  pid_t pid = -1;
  {
    NsdServer nsd({{"test", NsdServer::zone_header("test") + "a IN A 127.0.0.9\n"}});
    ASSERT_TRUE(nsd.start()) << nsd.error();
    EXPECT_EQ(nsd.nameserver(), "127.0.0.1:" + std::to_string(nsd.port()));
    EXPECT_EQ(nsd.query_rcode("test", kSoa), 0);
    EXPECT_EQ(nsd.query_rcode("a.test", kA), 0);
    EXPECT_EQ(nsd.query_rcode("nope.test", kA), 3);       // NXDOMAIN
    EXPECT_EQ(nsd.query_rcode("example.org", kA), 5);     // REFUSED: not its zone
    dir = nsd.dir();
    pid = nsd.pid();
    EXPECT_TRUE(std::filesystem::exists(dir / "nsd.conf"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: the PID is gone
}

TEST(NsdServerFixture, TwoServersRunSideBySide) {
  NsdServer a({{"test", NsdServer::zone_header("test")}});
  NsdServer b({{"test", NsdServer::zone_header("test")}});
  ASSERT_TRUE(a.start()) << a.error();
  ASSERT_TRUE(b.start()) << b.error();
  EXPECT_NE(a.port(), b.port());
  a.stop();
  EXPECT_FALSE(a.running());
  EXPECT_EQ(b.query_rcode("test", kSoa), 0);
}

TEST(NsdServerFixture, BrokenZoneIsReportedWithNsdsMessage) {
  NsdServer nsd({{"test", NsdServer::zone_header("test") + "broken IN MX notanumber\n"}});
  EXPECT_FALSE(nsd.start());
  EXPECT_NE(nsd.error().find("zone test rejected"), std::string::npos) << nsd.error();
}

}  // namespace
}  // namespace impulse::test
