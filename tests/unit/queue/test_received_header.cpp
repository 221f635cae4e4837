// The Received: trace header (RFC 5321 §4.4).
#include <gtest/gtest.h>

#include <algorithm>

#include "queue/received_header.hpp"

namespace impulse::queue {
namespace {

const WallTime kDate{std::chrono::seconds(1'700'000'000)};  // Tue, 14 Nov 2023 22:13:20 +0000

TEST(ReceivedHeader, EsmtpWithOneRecipient) {
  TraceFields f;
  f.helo = "client.example.net";
  f.peer_ip = "198.51.100.7";
  f.hostname = "mta.test";
  f.message_id = "6553F1A0-00-00000001";
  f.recipient = "bob@example.com";
  f.date = kDate;
  EXPECT_EQ(received_header(f),
            "Received: from client.example.net ([198.51.100.7])\r\n"
            "\tby mta.test with ESMTP id 6553F1A0-00-00000001\r\n"
            "\tfor <bob@example.com>; Tue, 14 Nov 2023 22:13:20 +0000\r\n");
}

TEST(ReceivedHeader, HeloOverTlsWithSeveralRecipientsAndIpv6Peer) {
  TraceFields f;
  f.helo = "[IPv6:::1]";
  f.peer_ip = "::1";
  f.hostname = "mta.test";
  f.esmtp = false;
  f.tls = true;
  f.message_id = "X";
  f.date = kDate;
  EXPECT_EQ(received_header(f),
            "Received: from [IPv6:::1] ([IPv6:::1])\r\n"
            "\tby mta.test with SMTPS id X; Tue, 14 Nov 2023 22:13:20 +0000\r\n");
}

TEST(ReceivedHeader, EsmtpsKeyword) {
  TraceFields f;
  f.helo = "h";
  f.peer_ip = "127.0.0.1";
  f.hostname = "mta.test";
  f.tls = true;
  f.message_id = "X";
  f.date = kDate;
  EXPECT_NE(received_header(f).find(" with ESMTPS id X;"), std::string::npos);
}

TEST(ReceivedHeader, HostileHeloCannotAddHeaderLines) {
  TraceFields f;
  f.helo = "evil\r\nX-Injected: yes (x); y";
  f.peer_ip = "127.0.0.1";
  f.hostname = "mta.test";
  f.message_id = "X";
  f.date = kDate;
  const std::string h = received_header(f);
  EXPECT_EQ(h.find("X-Injected: "), std::string::npos);
  const std::string q2 = std::string(2, '?'), q3 = std::string(3, '?');
  EXPECT_NE(h.find("from evil" + q2 + "X-Injected:?yes" + q2 + "x" + q3 + "y ("), std::string::npos) << h;
  // Exactly the two CRLFs of the header's own lines.
  EXPECT_EQ(std::count(h.begin(), h.end(), '\n'), 2);
}

TEST(ReceivedHeader, EmptyHeloIsUnknown) {
  TraceFields f;
  f.peer_ip = "127.0.0.1";
  f.hostname = "mta.test";
  f.message_id = "X";
  f.date = kDate;
  EXPECT_EQ(received_header(f).rfind("Received: from unknown ([127.0.0.1])\r\n", 0), 0u);
}

}  // namespace
}  // namespace impulse::queue
