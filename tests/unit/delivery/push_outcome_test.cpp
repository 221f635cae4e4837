// Tests for delivery/push/push_outcome.hpp: one row per rule of SPEC §11
// "Outcomes" (delivered, permanent, dead token class 10, transient,
// Retry-After, credentials refused holding the queue), the unusable-message
// text, the APN verdict mapping, and how one attempt's recipients combine.
#include "delivery/push/push_outcome.hpp"

#include <gtest/gtest.h>

using namespace impulse;
using namespace impulse::delivery::push;
using std::chrono::seconds;

namespace {

const PushPeer kPeer{"APN", "17.188.0.1", "api.push.apple.com", 321};

PushRecipientResult run(PushVerdictKind kind, std::string text, std::optional<seconds> retry_after = std::nullopt) {
  return push_outcome(PushVerdict{kind, std::move(text), retry_after}, kPeer, seconds(600));
}

}  // namespace

TEST(PushOutcome, DeliveredKeepsTheResponseAndPeer) {
  const auto r = run(PushVerdictKind::kDelivered, "200 Success");
  EXPECT_TRUE(r.outcome.delivered());
  EXPECT_EQ(r.outcome.reply, "200 Success");
  EXPECT_EQ(r.outcome.remote_ip, "17.188.0.1");
  EXPECT_EQ(r.outcome.remote_host, "api.push.apple.com");
  EXPECT_EQ(r.outcome.bytes_sent, 321u);
  EXPECT_EQ(r.outcome.stage, queue::kStageResponse);
  EXPECT_FALSE(r.hold);
}

TEST(PushOutcome, DeadTokenIsPermanentClassTenWithStatus511) {
  const auto r = run(PushVerdictKind::kDeadToken, "410 Unregistered");
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.reply, "410 Unregistered");
  ASSERT_TRUE(r.outcome.bounce_class);
  EXPECT_EQ(protocol::bounce_class_code(*r.outcome.bounce_class), 10);
  EXPECT_EQ(r.outcome.dsn_status, (protocol::EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(r.outcome.stage, queue::kStageResponse);
  EXPECT_FALSE(r.hold);
}

TEST(PushOutcome, OtherPermanentFailuresKeepTheUsualClassifierAndStatus500) {
  const auto r = run(PushVerdictKind::kPermanent, "400 BadDeviceToken");
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_FALSE(r.outcome.bounce_class);
  EXPECT_EQ(r.outcome.dsn_status, (protocol::EnhancedStatus{5, 0, 0}));
  EXPECT_FALSE(r.hold);
}

TEST(PushOutcome, CredentialsRefusedIsTransientAndHoldsTheQueueForHostFailureRetry) {
  const auto r = run(PushVerdictKind::kCredentials, "403 InvalidProviderToken");
  EXPECT_TRUE(r.outcome.transient());
  EXPECT_EQ(r.outcome.reply, "403 InvalidProviderToken");
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->target, queue::Hold::Target::kQueue);
  EXPECT_EQ(r.hold->at_least, seconds(600));
  EXPECT_FALSE(r.hold->to_delayed);
  EXPECT_EQ(r.hold->reason, "credentials refused by APN: 403 InvalidProviderToken");
}

TEST(PushOutcome, RetryAfterHoldsTheQueueAtLeastThatLong) {
  const auto r = run(PushVerdictKind::kTransient, "429 TooManyRequests", seconds(120));
  EXPECT_TRUE(r.outcome.transient());
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->target, queue::Hold::Target::kQueue);
  EXPECT_EQ(r.hold->at_least, seconds(120));
  EXPECT_EQ(r.hold->reason, "Retry-After 120 s: 429 TooManyRequests");
  EXPECT_FALSE(run(PushVerdictKind::kTransient, "500 InternalServerError").hold);
  EXPECT_FALSE(run(PushVerdictKind::kTransient, "503 ServiceUnavailable", seconds(0)).hold);
}

TEST(PushOutcome, UnusableMessageIs554560WithoutARequest) {
  const auto r = unusable_message("no message/vnd.msys.apn part\r\nin the MCMT message");
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.reply, "554 5.6.0 [internal] no message/vnd.msys.apn part  in the MCMT message");
  EXPECT_EQ(r.outcome.stage, queue::kStageRequest);
  EXPECT_EQ(r.outcome.bytes_sent, 0u);
  EXPECT_TRUE(r.outcome.remote_ip.empty());
  EXPECT_FALSE(r.hold);
}

TEST(PushOutcome, ApnVerdictsMap) {
  using AK = protocol::ApnVerdictKind;
  const std::pair<AK, PushVerdictKind> rows[] = {
      {AK::kDelivered, PushVerdictKind::kDelivered},     {AK::kPermanent, PushVerdictKind::kPermanent},
      {AK::kDeadToken, PushVerdictKind::kDeadToken},     {AK::kTransient, PushVerdictKind::kTransient},
      {AK::kCredentials, PushVerdictKind::kCredentials}, {AK::kRenewToken, PushVerdictKind::kCredentials},
      {AK::kRetryOnNewConnection, PushVerdictKind::kTransient}};
  for (const auto& [apn, push] : rows) {
    protocol::ApnVerdict v;
    v.kind = apn;
    v.response_text = "x";
    v.retry_after = seconds(7);
    const PushVerdict p = from_apn(v);
    EXPECT_EQ(p.kind, push);
    EXPECT_EQ(p.response_text, "x");
    EXPECT_EQ(p.retry_after, seconds(7));
  }
}

TEST(PushOutcome, CombineKeepsRecipientOrderAndTheLongestHold) {
  std::vector<PushRecipientResult> rs;
  rs.push_back(run(PushVerdictKind::kDelivered, "200 Success"));
  rs.push_back(run(PushVerdictKind::kTransient, "429 TooManyRequests", seconds(30)));
  rs.push_back(run(PushVerdictKind::kCredentials, "403 Forbidden"));
  rs.push_back(run(PushVerdictKind::kDeadToken, "410 Unregistered"));
  const queue::AttemptResult a = combine(std::move(rs));
  ASSERT_EQ(a.outcomes.size(), 4u);
  EXPECT_EQ(a.outcomes[0].reply, "200 Success");
  EXPECT_EQ(a.outcomes[1].reply, "429 TooManyRequests");
  EXPECT_EQ(a.outcomes[2].reply, "403 Forbidden");
  EXPECT_EQ(a.outcomes[3].reply, "410 Unregistered");
  ASSERT_TRUE(a.hold);
  EXPECT_EQ(a.hold->at_least, seconds(600));
  EXPECT_EQ(a.hold->reason, "credentials refused by APN: 403 Forbidden");
  EXPECT_FALSE(combine({run(PushVerdictKind::kDelivered, "200 Success")}).hold);
}
