// The APN transport's outcome table (delivery/apn/apn_outcome.hpp): one row
// per APNs answer and per failure, the disposition, stage, scope, hold and
// the apns-id kept as the outcome's remote_id; the open failures the
// connection manager quarantines.
#include <gtest/gtest.h>

#include "delivery/apn/apn_outcome.hpp"

namespace impulse::delivery::apn {
namespace {

using Kind = protocol::ApnVerdictKind;
constexpr std::chrono::seconds kHold{120};
const ApnPeer kPeer{"192.0.2.10", "api.push.apple.com", 512, "apn.example"};
constexpr std::string_view kId = "0a1b2c3d-4e5f-4061-8273-8495a6b7c8d9";

ApnResult answer(int status, std::string_view body, std::optional<std::string_view> retry_after = std::nullopt) {
  return response_outcome(protocol::classify_apn_response(status, body, retry_after, 1'800'000'000), kPeer, kId,
                          kHold);
}

TEST(ApnOutcome, StatusTable) {
  struct Row {
    int status;
    std::string_view body;
    queue::Disposition disposition;
    std::string_view text;
    bool holds;
  };
  const Row rows[] = {
      {200, "", queue::Disposition::kDelivered, "200 Success", false},
      {400, R"({"reason":"BadDeviceToken"})", queue::Disposition::kPermanent, "400 BadDeviceToken", false},
      {403, R"({"reason":"InvalidProviderToken"})", queue::Disposition::kTransient, "403 InvalidProviderToken", true},
      {404, R"({"reason":"BadPath"})", queue::Disposition::kTransient, "404 BadPath", false},
      {405, R"({"reason":"MethodNotAllowed"})", queue::Disposition::kTransient, "405 MethodNotAllowed", false},
      {410, R"({"reason":"Unregistered","timestamp":1700000000000})", queue::Disposition::kPermanent,
       "410 Unregistered", false},
      {413, R"({"reason":"PayloadTooLarge"})", queue::Disposition::kPermanent, "413 PayloadTooLarge", false},
      {429, R"({"reason":"TooManyRequests"})", queue::Disposition::kTransient, "429 TooManyRequests", false},
      {500, R"({"reason":"InternalServerError"})", queue::Disposition::kTransient, "500 InternalServerError", false},
      {503, R"({"reason":"ServiceUnavailable"})", queue::Disposition::kTransient, "503 ServiceUnavailable", false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.status);
    const ApnResult r = answer(row.status, row.body);
    EXPECT_EQ(r.outcome.disposition, row.disposition);
    EXPECT_EQ(r.outcome.reply, row.text);
    EXPECT_EQ(r.outcome.stage, queue::kStageResponse);
    EXPECT_EQ(r.outcome.remote_ip, "192.0.2.10");
    EXPECT_EQ(r.outcome.remote_host, "api.push.apple.com");
    EXPECT_EQ(r.outcome.remote_id, kId);
    EXPECT_EQ(r.hold.has_value(), row.holds);
  }
}

TEST(ApnOutcome, DeadTokenIsClass10WithDsn511) {
  const ApnResult r = answer(410, R"({"reason":"Unregistered"})");
  ASSERT_TRUE(r.outcome.bounce_class.has_value());
  EXPECT_EQ(static_cast<int>(*r.outcome.bounce_class), 10);
  ASSERT_TRUE(r.outcome.dsn_status.has_value());
}

TEST(ApnOutcome, CredentialsRefusedHoldTheQueueForHostFailureRetry) {
  const ApnResult r = answer(403, R"({"reason":"BadCertificateEnvironment"})");
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->target, queue::Hold::Target::kQueue);
  EXPECT_EQ(r.hold->at_least, kHold);
  EXPECT_NE(r.hold->reason.find("403 BadCertificateEnvironment"), std::string::npos) << r.hold->reason;
}

TEST(ApnOutcome, RetryAfterHoldsTheQueueThatLong) {
  const ApnResult r = answer(429, R"({"reason":"TooManyRequests"})", "90");
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->target, queue::Hold::Target::kQueue);
  EXPECT_EQ(r.hold->at_least, std::chrono::seconds(90));
  EXPECT_TRUE(r.outcome.transient());
}

TEST(ApnOutcome, RenewalOrShutdownStillAnsweredAfterTheirOneRetryAreTransient) {
  EXPECT_TRUE(answer(403, R"({"reason":"ExpiredProviderToken"})").outcome.transient());
  EXPECT_TRUE(answer(503, R"({"reason":"Shutdown"})").outcome.transient());
}

TEST(ApnOutcome, UnusableMessageIsPermanentWithoutARequest) {
  const ApnResult r = unusable_message("payload is not JSON\r\nat byte 3");
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.reply, "554 5.6.0 [internal] payload is not JSON  at byte 3");
  EXPECT_EQ(r.outcome.bytes_sent, 0u);
}

TEST(ApnOutcome, NoCredentialsWaitAndHoldTheQueue) {
  const ApnResult r = credentials_not_configured(kHold);
  EXPECT_TRUE(r.outcome.transient());
  EXPECT_EQ(r.outcome.reply, "451 4.7.0 [internal] APN credentials not configured");
  ASSERT_TRUE(r.hold);
  EXPECT_EQ(r.hold->at_least, kHold);
}

TEST(ApnOutcome, FailuresWithoutAResponseAreTransient) {
  const ApnResult timeout = failure_outcome({http2::Http2ErrorKind::kTimeout, "no response within 5000 ms"}, kPeer);
  EXPECT_TRUE(timeout.outcome.transient());
  EXPECT_EQ(timeout.outcome.reply, "451 4.4.2 [internal] no APN response: no response within 5000 ms");
  EXPECT_EQ(timeout.outcome.stage, queue::kStageResponse);
  const ApnResult lost = failure_outcome({http2::Http2ErrorKind::kConnectionLost, "connection closed by the server"}, kPeer);
  EXPECT_EQ(lost.outcome.reply, "451 4.4.2 [internal] APN connection failed: connection closed by the server");
  EXPECT_FALSE(lost.hold);
}

TEST(ApnOutcome, OpenFailuresAreHostScopedWithTheirStage) {
  const SessionOpenFailure tls = open_failure({http2::Http2ErrorKind::kTls, "certificate verify failed: x"}, kPeer);
  EXPECT_EQ(tls.outcome.scope, queue::Scope::kHost);
  EXPECT_EQ(tls.outcome.stage, queue::Stage::kTlsHandshake);
  EXPECT_EQ(tls.outcome.reply, "451 4.7.5 [internal] TLS negotiation failed: certificate verify failed: x");
  const SessionOpenFailure slow = open_failure({http2::Http2ErrorKind::kConnect, "connect timed out"}, kPeer);
  EXPECT_EQ(slow.outcome.reply, "450 4.4.1 [internal] Connection Timed Out");
  EXPECT_EQ(slow.outcome.stage, queue::Stage::kNotConnected);
}

}  // namespace
}  // namespace impulse::delivery::apn
