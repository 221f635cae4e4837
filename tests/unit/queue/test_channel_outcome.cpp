// The queue side of channel outcomes (SPEC §11): an outcome that carries
// its own bounce class and DSN Status (a dead push token: class 10, 5.1.1)
// is logged and bounced with them; one without keeps the classifier's
// (the existing SMTP path, asserted in test_delivery_flow.cpp).
#include <gtest/gtest.h>

#include <map>

#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

Outcome push_failure(std::string text, std::optional<protocol::BounceClass> klass,
                     std::optional<protocol::EnhancedStatus> status) {
  Outcome o = permanent(std::move(text), kStageResponse, Scope::kRecipient, "17.188.0.1", 300, "api.push.apple.com");
  o.bounce_class = klass;
  o.dsn_status = status;
  return o;
}

}  // namespace

TEST(ChannelOutcome, DeadTokenIsClassTenAndItsDsnSays511) {
  SchedulerHarness h;
  std::map<std::string, std::string> bounces;
  h.agent.script = [&](const DeliveryJob& job, const QueuedRecipient&) {
    if (job.sender().empty()) {
      if (auto b = job.load_body()) bounces[job.id().to_string()] = **b;
      return FakeAgent::ok();
    }
    return push_failure("410 Unregistered", protocol::BounceClass::kInvalidRecipient,
                        protocol::EnhancedStatus{5, 1, 1});
  };
  h.inject(kSender, {"00112233445566778899aabbccddeeff@apn.example.com"});
  auto bs = h.log.bounce_records("B");
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0][12], "10");  // Invalid Recipient, though "410" reads like an SMTP 4xx
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string dsn = unfold(bounces[h.bounce_ids()[0].to_string()]);
  EXPECT_NE(dsn.find("Status: 5.1.1\n"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("Diagnostic-Code: smtp; 410 Unregistered\n"), std::string::npos) << dsn;
}

TEST(ChannelOutcome, OtherPushFailureKeepsTheClassifierButTakesItsStatus) {
  SchedulerHarness h;
  std::map<std::string, std::string> bounces;
  h.agent.script = [&](const DeliveryJob& job, const QueuedRecipient&) {
    if (job.sender().empty()) {
      if (auto b = job.load_body()) bounces[job.id().to_string()] = **b;
      return FakeAgent::ok();
    }
    return push_failure("400 BadDeviceToken", std::nullopt, protocol::EnhancedStatus{5, 0, 0});
  };
  h.inject(kSender, {"00112233445566778899aabbccddeeff@apn.example.com"});
  auto bs = h.log.bounce_records("B");
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0][12], std::to_string(protocol::bounce_class_code(protocol::classify_reply("400 BadDeviceToken"))));
  ASSERT_EQ(h.bounce_ids().size(), 1u);
  const std::string dsn = unfold(bounces[h.bounce_ids()[0].to_string()]);
  EXPECT_NE(dsn.find("Status: 5.0.0\n"), std::string::npos) << dsn;  // not the 4.0.0 a "400" would suggest
}

}  // namespace impulse::queue::testing
