// protocol/dsn.hpp with the success actions (RFC 3461 §6.2.2, RFC 3464
// §2.3.3): "delivered" and "relayed" recipients get Status 2.x.x, the
// success subject, a human part that says what happened, and no
// Will-Retry-Until; a failed recipient in the same report wins the subject.
#include "protocol/dsn.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace impulse::protocol {
namespace {

DsnRequest request(DsnAction action, std::string diagnostic) {
  DsnRequest rq;
  rq.reporting_mta = "mta.test";
  rq.from = "mailer-daemon@mta.test";
  rq.to = "alice@sender.test";
  rq.message_id = "R1@mta.test";
  rq.boundary_seed = "R1";
  rq.date = WallTime{std::chrono::seconds(1'700'000'000)};
  DsnRecipient r;
  r.final_recipient = "bob@example.com";
  r.action = action;
  r.diagnostic = std::move(diagnostic);
  r.remote_mta = "mx.example.com";
  r.will_retry_until = rq.date;  // ignored for these actions
  rq.recipients.push_back(r);
  return rq;
}

TEST(DsnSuccess, RelayedRecipient) {
  auto dsn = build_dsn(request(DsnAction::kRelayed, "250 2.0.0 Ok: queued as ABC"));
  ASSERT_TRUE(dsn) << dsn.error().message;
  const std::string& m = dsn->bytes;
  EXPECT_NE(m.find("Subject: Delivery Status Notification (Success)\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Action: relayed\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Status: 2.0.0\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as ABC\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("<bob@example.com>: relayed\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("does not send delivery status"), std::string::npos) << m;
  EXPECT_EQ(m.find("Will-Retry-Until"), std::string::npos) << m;
}

TEST(DsnSuccess, DeliveredRecipientKeepsAn2xxStatusAndReplacesOthers) {
  auto dsn = build_dsn(request(DsnAction::kDelivered, "250 2.1.5 saved"));
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->bytes.find("Action: delivered\r\n"), std::string::npos);
  EXPECT_NE(dsn->bytes.find("Status: 2.1.5\r\n"), std::string::npos);
  DsnRecipient odd;
  odd.action = DsnAction::kDelivered;
  odd.diagnostic = "451 4.3.0 later";
  EXPECT_EQ(dsn_status_for(odd).to_string(), "2.0.0");
  odd.action = DsnAction::kDelayed;
  EXPECT_EQ(dsn_status_for(odd).to_string(), "4.3.0");
  odd.diagnostic = "250 ok";
  EXPECT_EQ(dsn_status_for(odd).to_string(), "4.0.0");
}

TEST(DsnSuccess, FailedWinsTheSubjectThenDelayed) {
  auto rq = request(DsnAction::kRelayed, "250 ok");
  auto failed = rq.recipients[0];
  failed.final_recipient = "carol@example.com";
  failed.action = DsnAction::kDelayed;
  failed.diagnostic = "451 4.3.0 later";
  rq.recipients.push_back(failed);
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->bytes.find("Subject: Delivery Status Notification (Delay)\r\n"), std::string::npos);
  rq.recipients[1].action = DsnAction::kFailed;
  rq.recipients[1].diagnostic = "550 5.1.1 no";
  dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->bytes.find("Subject: Delivery Status Notification (Failure)\r\n"), std::string::npos);
  EXPECT_EQ(dsn_action_name(DsnAction::kFailed), "failed");
}

}  // namespace
}  // namespace impulse::protocol
