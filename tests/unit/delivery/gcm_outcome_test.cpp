// delivery/gcm/gcm_outcome: SPEC §13's verdicts become the outcomes SPEC §11
// prescribes (through push_outcome): delivered, permanent with DSN 5.0.0,
// dead tokens class 10 / 5.1.1, credentials and token-endpoint refusals
// transient with a queue hold of Host_Failure_Retry, Retry-After holds,
// missing credentials 451 4.7.0 with a hold, no answer transient.
#include <gtest/gtest.h>

#include "delivery/gcm/gcm_outcome.hpp"

namespace impulse::delivery::gcm {
namespace {

using protocol::GcmVerdict;
using protocol::GcmVerdictKind;

const PushPeer kPeer{"GCM", "127.0.0.1", "fcm.googleapis.com", 100};
constexpr std::chrono::seconds kHold{120};

GcmVerdict verdict(GcmVerdictKind kind, std::string text, std::optional<std::chrono::seconds> retry = {}) {
  GcmVerdict v;
  v.kind = kind;
  v.response_text = std::move(text);
  v.retry_after = retry;
  return v;
}

TEST(GcmOutcome, Verdicts) {
  GcmVerdict ok = verdict(GcmVerdictKind::kDelivered, "200 projects/p/messages/1");
  ok.message_id = "projects/p/messages/1";
  auto r = response_outcome(ok, kPeer, kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kDelivered);
  EXPECT_EQ(r.outcome.remote_id, "projects/p/messages/1");
  EXPECT_FALSE(r.hold);

  r = response_outcome(verdict(GcmVerdictKind::kPermanent, "400 INVALID_ARGUMENT"), kPeer, kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kPermanent);
  EXPECT_EQ(r.outcome.dsn_status, (protocol::EnhancedStatus{5, 0, 0}));
  EXPECT_FALSE(r.outcome.bounce_class);

  r = response_outcome(verdict(GcmVerdictKind::kDeadToken, "404 UNREGISTERED"), kPeer, kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kPermanent);
  EXPECT_EQ(r.outcome.bounce_class, protocol::BounceClass::kInvalidRecipient);
  EXPECT_EQ(r.outcome.dsn_status, (protocol::EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(r.outcome.reply, "404 UNREGISTERED");

  r = response_outcome(verdict(GcmVerdictKind::kTransient, "429 QUOTA_EXCEEDED", std::chrono::seconds(30)), kPeer,
                       kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->at_least, std::chrono::seconds(30));

  r = response_outcome(verdict(GcmVerdictKind::kCredentials, "401 THIRD_PARTY_AUTH_ERROR"), kPeer, kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->at_least, kHold);
  EXPECT_NE(r.hold->reason.find("credentials refused by GCM"), std::string::npos) << r.hold->reason;
}

TEST(GcmOutcome, TokenEndpointAndMissingCredentials) {
  auto r = token_outcome(TokenResult{TokenResult::Kind::kRefused, "OAuth token endpoint: 400 invalid_grant"}, kPeer,
                         kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->at_least, kHold);
  r = token_outcome(TokenResult{TokenResult::Kind::kFailed, "OAuth token endpoint: connect: refused"}, kPeer, kHold);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  EXPECT_FALSE(r.hold);
  EXPECT_EQ(r.outcome.reply,
            "451 4.4.2 [internal] GCM access token not obtained: OAuth token endpoint: connect: refused");
  r = credentials_not_configured(kHold);
  EXPECT_EQ(r.outcome.reply, "451 4.7.0 [internal] GCM credentials not configured");
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  ASSERT_TRUE(r.hold);
  r = failure_outcome(http2::Http2Error{http2::Http2ErrorKind::kTimeout, "no response in 5000 ms"}, kPeer);
  EXPECT_EQ(r.outcome.disposition, queue::Disposition::kTransient);
  EXPECT_EQ(r.outcome.reply, "451 4.4.2 [internal] no GCM response: no response in 5000 ms");
}

}  // namespace
}  // namespace impulse::delivery::gcm
