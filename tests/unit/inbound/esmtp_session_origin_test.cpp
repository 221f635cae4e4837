// The ESMTP session hands the injector a queue::Injection whose Origin
// says how the message came in: protocol esmtp, EHLO or HELO, the peer,
// the connection id (the R records' connid) and no ready-made trace line
// (the injector builds Received: itself).
#include <gtest/gtest.h>

#include <memory>

#include "fake_injector.hpp"
#include "inbound/esmtp_session.hpp"

namespace impulse::inbound {
namespace {

using testing::FakeInjector;

ReceivedMessage inject_one(std::string_view hello) {
  ListenerSettings settings;
  settings.hostname = "mx.test";
  FakeInjector injector;
  EsmtpSession session(settings, SessionPeer{"192.0.2.7", 40000, "127.0.0.1:2525", true, false, "CONN-7"},
                       injector);
  session.start();
  session.receive(std::string(hello) + " client.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
  session.receive("Subject: x\r\n\r\nhi\r\n.\r\n");
  const std::string out = session.take_output();
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as MSG1\r\n"), std::string::npos) << out;
  EXPECT_EQ(injector.count(), 1u);
  return injector.count() == 1 ? injector.messages()[0] : ReceivedMessage{};
}

TEST(EsmtpSessionOrigin, EhloSessionInjectsWithAnEsmtpOrigin) {
  const ReceivedMessage m = inject_one("EHLO");
  EXPECT_EQ(m.protocol, spool::Protocol::kEsmtp);
  EXPECT_TRUE(m.esmtp);
  EXPECT_EQ(m.helo, "client.test");
  EXPECT_EQ(m.peer_ip, "192.0.2.7");
  EXPECT_EQ(m.peer_port, 40000);
  EXPECT_EQ(m.listener_address, "127.0.0.1:2525");
  EXPECT_EQ(m.connection_id, "CONN-7");
  EXPECT_FALSE(m.has_trace);
  EXPECT_EQ(m.mail_from, "a@b.test");
  EXPECT_EQ(m.data, "Subject: x\r\n\r\nhi\r\n");
}

TEST(EsmtpSessionOrigin, HeloSessionIsMarkedNotExtended) {
  const ReceivedMessage m = inject_one("HELO");
  EXPECT_EQ(m.protocol, spool::Protocol::kEsmtp);  // the R record says esmtp for both (reference/momentum.md)
  EXPECT_FALSE(m.esmtp);                          // the Received: header says SMTP
  EXPECT_EQ(m.helo, "client.test");
}

}  // namespace
}  // namespace impulse::inbound
