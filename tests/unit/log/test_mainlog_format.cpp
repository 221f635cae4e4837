// Tests for log/mainlog_format.hpp: every record type split on '@' and
// checked field by field against Momentum's documented layout and examples.
#include "log/mainlog_format.hpp"

#include <gtest/gtest.h>

#include "log_test_support.hpp"

using namespace impulse::log;
using impulse::log::testing::at;
using impulse::log::testing::fields;
using impulse::WallTime;
using namespace std::chrono_literals;

TEST(MainlogFormat, ReceptionMatchesMomentumExample) {
  ReceptionRecord r;
  r.time = at(1064868656);
  r.msgid = "00/00-25004-31B987F3";
  r.batchid = "00/00-03736-F4101B54";
  r.connid = "00/00-04532-A3456B54";
  r.rcpt_local = "bob";
  r.rcpt_domain = "example.fict";
  r.sender_local = "info";
  r.sender_domain = "postalengine.com";
  r.peer_ip = "10.0.1.1";
  r.size = 201;
  r.protocol = kProtocolEsmtp;
  r.binding_group = "default";
  r.binding = "default";
  const std::string line = format_reception(r);
  EXPECT_EQ(line,
            "1064868656@00/00-25004-31B987F3@00/00-03736-F4101B54@00/00-04532-A3456B54@R@bob@example.fict@info@"
            "postalengine.com@10.0.1.1@201@esmtp@default@default");
  auto f = fields(line);
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[0], "1064868656");
  EXPECT_EQ(f[1], "00/00-25004-31B987F3");
  EXPECT_EQ(f[2], "00/00-03736-F4101B54");
  EXPECT_EQ(f[3], "00/00-04532-A3456B54");
  EXPECT_EQ(f[4], "R");
  EXPECT_EQ(f[5], "bob");
  EXPECT_EQ(f[6], "example.fict");
  EXPECT_EQ(f[7], "info");
  EXPECT_EQ(f[8], "postalengine.com");
  EXPECT_EQ(f[9], "10.0.1.1");
  EXPECT_EQ(f[10], "201");
  EXPECT_EQ(f[11], "esmtp");
  EXPECT_EQ(f[12], "default");
  EXPECT_EQ(f[13], "default");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(MainlogFormat, ReceptionOfBounceHasNullSenderAndInternalProtocol) {
  ReceptionRecord r;
  r.time = at(1700000000);
  r.msgid = "01/00-1-2";
  r.rcpt_local = "alice";
  r.rcpt_domain = "sender.example";
  r.peer_ip = "127.0.0.1";
  r.size = 1500;
  r.protocol = kProtocolInternal;
  r.binding_group = "";
  r.binding = "default";
  auto f = fields(format_reception(r));
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[7], "");
  EXPECT_EQ(f[8], "");
  EXPECT_EQ(f[11], "internal");
  EXPECT_EQ(f[12], "default") << "a binding in no group is in Momentum's implicit group 'default'";
  EXPECT_EQ(f[2], "") << "no batch id given";
}

TEST(MainlogFormat, DeliveryMatchesMomentumExample) {
  DeliveryRecord r;
  r.time = at(1064871280);
  r.received = r.time - 393ms;
  r.msgid = "20/00-25593-945A87F3";
  r.batchid = "00/00-03736-F4101B54";
  r.connid = "00/00-04532-A3456B54";
  r.domain = "postalengine.com";
  r.size = 266;
  r.binding_group = "group-a";
  r.binding = "binding-a";
  r.retries = 0;
  r.remote_ip = "10.0.0.1";
  const std::string line = format_delivery(r);
  EXPECT_EQ(line,
            "1064871280@20/00-25593-945A87F3@00/00-03736-F4101B54@00/00-04532-A3456B54@D@postalengine.com@266@"
            "group-a@binding-a@0@0.393@10.0.0.1");
  auto f = fields(line);
  ASSERT_EQ(f.size(), 12u);
  EXPECT_EQ(f[4], "D");
  EXPECT_EQ(f[5], "postalengine.com");
  EXPECT_EQ(f[6], "266");
  EXPECT_EQ(f[7], "group-a");
  EXPECT_EQ(f[8], "binding-a");
  EXPECT_EQ(f[9], "0");
  EXPECT_EQ(f[10], "0.393");
  EXPECT_EQ(f[11], "10.0.0.1");
}

TEST(MainlogFormat, TransferIsX) {
  DeliveryRecord r;
  r.time = at(100);
  r.received = at(40);
  r.transfer = true;
  r.retries = 3;
  auto f = fields(format_delivery(r));
  ASSERT_EQ(f.size(), 12u);
  EXPECT_EQ(f[4], "X");
  EXPECT_EQ(f[9], "3");
  EXPECT_EQ(f[10], "60");
}

TEST(MainlogFormat, TransientMatchesMomentumExample) {
  FailureRecord r;
  r.time = at(1064869327);
  r.received = r.time - 18530ms;
  r.msgid = "00/00-25593-CBD987F3";
  r.batchid = "00/00-03736-F4101B54";
  r.connid = "00/00-04532-A3456B54";
  r.domain = "example.fict";
  r.bytes_sent = 0;
  r.binding_group = "group-a";
  r.binding = "binding-a";
  r.stage = 15;
  r.retries = 0;
  r.remote_ip = "10.0.0.1";
  r.response = "421 no adequate servers";
  const std::string line = format_transient(r);
  EXPECT_EQ(line,
            "1064869327@00/00-25593-CBD987F3@00/00-03736-F4101B54@00/00-04532-A3456B54@T@example.fict@0@group-a@"
            "binding-a@15@0@18.53@10.0.0.1@421 no adequate servers");
  auto f = fields(line);
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[4], "T");
  EXPECT_EQ(f[6], "0");
  EXPECT_EQ(f[9], "15");
  EXPECT_EQ(f[10], "0");
  EXPECT_EQ(f[11], "18.53");
  EXPECT_EQ(f[12], "10.0.0.1");
  EXPECT_EQ(f[13], "421 no adequate servers");
}

TEST(MainlogFormat, PermanentMatchesMomentumExample) {
  FailureRecord r;
  r.time = at(1064870847);
  r.received = r.time - 3890ms;
  r.msgid = "10/00-25593-393A87F3";
  r.batchid = "00/00-03736-F4101B54";
  r.connid = "00/00-04532-A3456B54";
  r.domain = "postalengine.com";
  r.bytes_sent = 31;
  r.binding_group = "group-a";
  r.binding = "binding-a";
  r.stage = 5;
  r.retries = 1;
  r.remote_ip = "10.0.0.1";
  r.response = "552 No such account";
  EXPECT_EQ(format_permanent(r),
            "1064870847@10/00-25593-393A87F3@00/00-03736-F4101B54@00/00-04532-A3456B54@P@postalengine.com@31@"
            "group-a@binding-a@5@1@3.89@10.0.0.1@552 No such account");
}

TEST(MainlogFormat, ResponseWithSeparatorAndNewlinesStaysOneRecord) {
  FailureRecord r;
  r.time = at(1700000000);
  r.received = at(1700000000);
  r.domain = "y.example";
  r.stage = 4;
  r.response = "550-5.1.1 <x@y.example>: Recipient address rejected\r\n550 5.1.1 User unknown\r\n";
  const std::string line = format_permanent(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  auto f = fields(line);
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[13], "550-5.1.1 <x%40y.example>: Recipient address rejected 550 5.1.1 User unknown");
}

TEST(MainlogFormat, InternalResponseAndNoConnection) {
  FailureRecord r;
  r.time = at(1700000600);
  r.received = at(1700000000);
  r.domain = "unreachable.example";
  r.stage = 0;
  r.response = "421 4.4.0 [internal] no MXs for this domain could be reached at this time";
  auto f = fields(format_transient(r));
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[6], "0");
  EXPECT_EQ(f[9], "0");
  EXPECT_EQ(f[11], "600");
  EXPECT_EQ(f[12], "") << "no remote address without a connection";
  EXPECT_EQ(f[13], "421 4.4.0 [internal] no MXs for this domain could be reached at this time");
}

TEST(MainlogFormat, SeparatorInOtherFieldsIsEscaped) {
  ReceptionRecord r;
  r.rcpt_local = "\"odd@local\"";
  r.rcpt_domain = "example.com";
  auto f = fields(format_reception(r));
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[5], "\"odd%40local\"");
}

TEST(MainlogFormat, Heartbeat) {
  EXPECT_EQ(format_mainlog_heartbeat(at(1251470342)), "1251470342@@@@M");
  auto f = fields(format_mainlog_heartbeat(at(1251470342)));
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[4], "M");
}

TEST(MainlogFormat, HiresTimestamps) {
  DeliveryRecord r;
  r.time = at(1064871280) + 250us;
  r.received = at(1064871280);
  auto f = fields(format_delivery(r, TimestampStyle::kMicroseconds));
  EXPECT_EQ(f[0], "1064871280000250");
  EXPECT_EQ(format_mainlog_heartbeat(at(1), TimestampStyle::kMicroseconds), "1000000@@@@M");
}
