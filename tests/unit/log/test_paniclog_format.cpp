// Tests for log/paniclog_format.hpp: "<time>:<text>", one line per event.
#include "log/paniclog_format.hpp"

#include <gtest/gtest.h>

#include "log_test_support.hpp"

using namespace impulse::log;
using impulse::WallTime;
using impulse::log::testing::at;


TEST(PaniclogFormat, TimeColonText) {
  const std::string line = format_panic(at(1307461172), "spool /var/spool/impulse: opened, 12 messages queued");
  EXPECT_EQ(line, "1307461172:spool /var/spool/impulse: opened, 12 messages queued");
  auto colon = line.find(':');
  EXPECT_EQ(line.substr(0, colon), "1307461172");
  EXPECT_EQ(line.substr(colon + 1), "spool /var/spool/impulse: opened, 12 messages queued");
}

TEST(PaniclogFormat, OneLineAlwaysAndAtSignKept) {
  const std::string line = format_panic(at(5), "conn 00/00-1: peer said\r\n421-busy\r\n421 try <a@b> later\r\n");
  EXPECT_EQ(line, "5:conn 00/00-1: peer said 421-busy 421 try <a@b> later");
  EXPECT_EQ(format_panic(at(5), std::string("bad\0byte\ttab", 12)), "5:bad?byte tab");
}

TEST(PaniclogFormat, Hires) {
  EXPECT_EQ(format_panic(at(2), "x", TimestampStyle::kMicroseconds), "2000000:x");
}
