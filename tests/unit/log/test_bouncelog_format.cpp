// Tests for log/bouncelog_format.hpp, field by field against Momentum's
// documented bouncelog example.
#include "log/bouncelog_format.hpp"

#include <gtest/gtest.h>

#include "log_test_support.hpp"

using namespace impulse::log;
using impulse::log::testing::at;
using impulse::log::testing::fields;
using impulse::WallTime;

TEST(BouncelogFormat, MatchesMomentumExample) {
  BounceRecord r;
  r.time = at(1064868656);
  r.msgid = "91/6D-07914-E67BC044";
  r.batchid = "00/00-03736-F4101B54";
  r.connid = "00/00-04532-A3456B54";
  r.kind = BounceKind::kBounce;
  r.rcpt_local = "johndoe";
  r.rcpt_domain = "example.fict";
  r.sender_local = "info";
  r.sender_domain = "postalengine.com";
  r.binding_group = "group-a";
  r.binding = "binding-a";
  r.stage = 21;
  r.classification = 24;
  r.size = 1223;
  r.remote_ip = "10.0.0.1";
  r.response = "554 5.4.7 [internal] exceeded max time without delivery";
  const std::string line = format_bounce(r);
  EXPECT_EQ(line,
            "1064868656@91/6D-07914-E67BC044@00/00-03736-F4101B54@00/00-04532-A3456B54@B@johndoe@example.fict@info@"
            "postalengine.com@group-a@binding-a@21@24@1223@10.0.0.1@554 5.4.7 [internal] exceeded max time without "
            "delivery");
  auto f = fields(line);
  ASSERT_EQ(f.size(), 16u);
  EXPECT_EQ(f[0], "1064868656");
  EXPECT_EQ(f[1], "91/6D-07914-E67BC044");
  EXPECT_EQ(f[2], "00/00-03736-F4101B54");
  EXPECT_EQ(f[3], "00/00-04532-A3456B54");
  EXPECT_EQ(f[4], "B");
  EXPECT_EQ(f[5], "johndoe");
  EXPECT_EQ(f[6], "example.fict");
  EXPECT_EQ(f[7], "info");
  EXPECT_EQ(f[8], "postalengine.com");
  EXPECT_EQ(f[9], "group-a");
  EXPECT_EQ(f[10], "binding-a");
  EXPECT_EQ(f[11], "21");
  EXPECT_EQ(f[12], "24");
  EXPECT_EQ(f[13], "1223");
  EXPECT_EQ(f[14], "10.0.0.1");
  EXPECT_EQ(f[15], "554 5.4.7 [internal] exceeded max time without delivery");
}

TEST(BouncelogFormat, TransientRecordAndSanitisedResponse) {
  BounceRecord r;
  r.time = at(1700000000);
  r.kind = BounceKind::kTransient;
  r.rcpt_local = "bob";
  r.rcpt_domain = "rcpt.example";
  r.stage = 4;
  r.classification = 22;
  r.response = "452-4.2.2 The email account <bob@rcpt.example>\r\n452 4.2.2 is over quota\r\n";
  const std::string line = format_bounce(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto f = fields(line);
  ASSERT_EQ(f.size(), 16u);
  EXPECT_EQ(f[4], "T");
  EXPECT_EQ(f[11], "4");
  EXPECT_EQ(f[12], "22");
  EXPECT_EQ(f[14], "");
  EXPECT_EQ(f[15], "452-4.2.2 The email account <bob%40rcpt.example> 452 4.2.2 is over quota");
}

TEST(BouncelogFormat, Heartbeat) {
  EXPECT_EQ(format_bouncelog_heartbeat(at(1251222268)), "1251222268@@@@M1");
  auto f = fields(format_bouncelog_heartbeat(at(1251222268)));
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[4], "M1");
}
