// Tests for protocol/apn_response.hpp: one row per status of SPEC §12's
// table (reasons from reference/protocols.md §4a), the response texts the
// mainlog shows, and Retry-After in each form RFC 9110 allows.
#include "protocol/apn_response.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;
using K = ApnVerdictKind;

namespace {
constexpr std::int64_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
}

TEST(ApnResponse, StatusTable) {
  struct Row {
    int status;
    std::string_view body;
    K kind;
    std::string_view text;
  };
  const Row rows[] = {
      {200, "", K::kDelivered, "200 Success"},
      {400, R"({"reason":"BadDeviceToken"})", K::kPermanent, "400 BadDeviceToken"},
      {403, R"({"reason":"ExpiredProviderToken"})", K::kRenewToken, "403 ExpiredProviderToken"},
      {403, R"({"reason":"InvalidProviderToken"})", K::kCredentials, "403 InvalidProviderToken"},
      {403, R"({"reason":"BadCertificate"})", K::kCredentials, "403 BadCertificate"},
      {404, R"({"reason":"BadPath"})", K::kTransient, "404 BadPath"},
      {405, R"({"reason":"MethodNotAllowed"})", K::kTransient, "405 MethodNotAllowed"},
      {410, R"({"reason":"Unregistered","timestamp":1700000000000})", K::kDeadToken, "410 Unregistered"},
      {410, R"({"reason":"ExpiredToken"})", K::kDeadToken, "410 ExpiredToken"},
      {413, R"({"reason":"PayloadTooLarge"})", K::kPermanent, "413 PayloadTooLarge"},
      {429, R"({"reason":"TooManyRequests"})", K::kTransient, "429 TooManyRequests"},
      {500, R"({"reason":"InternalServerError"})", K::kTransient, "500 InternalServerError"},
      {503, R"({"reason":"ServiceUnavailable"})", K::kTransient, "503 ServiceUnavailable"},
      {503, R"({"reason":"Shutdown"})", K::kRetryOnNewConnection, "503 Shutdown"},
      {500, "", K::kTransient, "500 Internal Server Error"},
      {502, "<html>gateway</html>", K::kTransient, "502 Bad Gateway"},
      {599, "", K::kTransient, "599"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    const ApnVerdict v = classify_apn_response(row.status, row.body, std::nullopt, kNow);
    EXPECT_EQ(v.kind, row.kind);
    EXPECT_EQ(v.response_text, row.text);
    EXPECT_FALSE(v.retry_after);
  }
}

TEST(ApnResponse, DeadTokenKeepsTheTimestampInMilliseconds) {
  const ApnVerdict v =
      classify_apn_response(410, R"({"reason":"Unregistered","timestamp":1700000000123})", std::nullopt, kNow);
  EXPECT_EQ(v.reason, "Unregistered");
  ASSERT_TRUE(v.invalid_since_ms);
  EXPECT_EQ(*v.invalid_since_ms, 1700000000123);
}

TEST(ApnResponse, ReasonsAreCutAndMadePrintable) {
  const std::string long_reason(500, 'R');
  const ApnVerdict v = classify_apn_response(400, "{\"reason\":\"" + long_reason + "\"}", std::nullopt, kNow);
  EXPECT_EQ(v.response_text, "400 " + std::string(200, 'R'));
  const ApnVerdict ctl = classify_apn_response(400, R"({"reason":"Bad\r\nThing"})", std::nullopt, kNow);
  EXPECT_EQ(ctl.response_text, "400 Bad??Thing");
}

TEST(ApnResponse, RetryAfterIsCarried) {
  const ApnVerdict v = classify_apn_response(429, R"({"reason":"TooManyRequests"})", "120", kNow);
  ASSERT_TRUE(v.retry_after);
  EXPECT_EQ(v.retry_after->count(), 120);
}

TEST(RetryAfter, DeltaSecondsAndTheThreeDateForms) {
  EXPECT_EQ(parse_retry_after("0", kNow)->count(), 0);
  EXPECT_EQ(parse_retry_after(" 3600 ", kNow)->count(), 3600);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", kNow)->count(), 60);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:51:37 GMT", kNow)->count(), 120);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:52:37 1994", kNow)->count(), 180);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kNow)->count(), 0);  // past: now
  EXPECT_EQ(parse_retry_after("Tue, 29 Feb 2000 00:00:00 GMT", 951782400 - 10)->count(), 10);
}

TEST(RetryAfter, GarbageIsNulloptAndHugeValuesSaturate) {
  EXPECT_FALSE(parse_retry_after("", kNow));
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("12s", kNow));
  EXPECT_FALSE(parse_retry_after("soon", kNow));
  EXPECT_FALSE(parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", kNow));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", kNow));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 PST", kNow));
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kNow)->count(), 10LL * 366 * 24 * 3600);
}
