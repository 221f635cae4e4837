// Tests for protocol/gcm_response.hpp: one row per line of SPEC §13's two
// status tables (FCM v1 error bodies as Google documents them in
// reference/protocols.md §5b, legacy results as §5a), the response texts
// the mainlog shows, the canonical token and Retry-After.
#include "protocol/gcm_response.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;
using K = GcmVerdictKind;

namespace {

constexpr std::int64_t kGcmNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

std::string v1_error(int code, std::string_view status, std::string_view fcm_code) {
  std::string details;
  if (!fcm_code.empty())
    details = R"(,"details":[{"@type":"type.googleapis.com/google.rpc.BadRequest"},)"
              R"({"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":")" +
              std::string(fcm_code) + R"("}])";
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":"m","status":")" + std::string(status) + "\"" +
         details + "}}";
}

}  // namespace

TEST(GcmResponse, V1Table) {
  struct Row {
    int status;
    std::string body;
    K kind;
    std::string_view text;
  };
  const Row rows[] = {
      {200, R"({"name":"projects/p/messages/0:1500415314455276%31bd1c9631bd1c96"})", K::kDelivered,
       "200 projects/p/messages/0:1500415314455276%31bd1c9631bd1c96"},
      {200, "", K::kDelivered, "200 OK"},
      {400, v1_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), K::kPermanent, "400 INVALID_ARGUMENT"},
      {404, v1_error(404, "NOT_FOUND", "UNREGISTERED"), K::kDeadToken, "404 UNREGISTERED"},
      {403, v1_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"), K::kPermanent, "403 SENDER_ID_MISMATCH"},
      {429, v1_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), K::kTransient, "429 QUOTA_EXCEEDED"},
      {503, v1_error(503, "UNAVAILABLE", "UNAVAILABLE"), K::kTransient, "503 UNAVAILABLE"},
      {500, v1_error(500, "INTERNAL", "INTERNAL"), K::kTransient, "500 INTERNAL"},
      {401, v1_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"), K::kCredentials, "401 THIRD_PARTY_AUTH_ERROR"},
      {401, v1_error(401, "UNAUTHENTICATED", ""), K::kCredentials, "401 UNAUTHENTICATED"},
      // Falling back on the HTTP status.
      {400, "", K::kPermanent, "400 Bad Request"},
      {401, "", K::kCredentials, "401 Unauthorized"},
      {403, v1_error(403, "PERMISSION_DENIED", ""), K::kCredentials, "403 PERMISSION_DENIED"},
      {403, "", K::kPermanent, "403 Forbidden"},
      {404, "<html>not found</html>", K::kTransient, "404 Not Found"},
      {429, "", K::kTransient, "429 Too Many Requests"},
      {500, v1_error(500, "INTERNAL", "UNSPECIFIED_ERROR"), K::kTransient, "500 UNSPECIFIED_ERROR"},
      {502, "", K::kTransient, "502 Bad Gateway"},
  };
  for (const Row& r : rows) {
    const GcmVerdict v = classify_fcm_v1_response(r.status, r.body, std::nullopt, kGcmNow);
    EXPECT_EQ(v.kind, r.kind) << r.status << " " << r.body;
    EXPECT_EQ(v.response_text, r.text) << r.body;
  }
}

TEST(GcmResponse, V1RetryAfterInBothForms) {
  auto v = classify_fcm_v1_response(429, v1_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), "120", kGcmNow);
  ASSERT_TRUE(v.retry_after);
  EXPECT_EQ(v.retry_after->count(), 120);
  v = classify_fcm_v1_response(503, "", "Sun, 06 Nov 1994 08:50:37 GMT", kGcmNow);
  ASSERT_TRUE(v.retry_after);
  EXPECT_EQ(v.retry_after->count(), 60);
  EXPECT_FALSE(classify_fcm_v1_response(503, "", "soon", kGcmNow).retry_after);
}

TEST(GcmResponse, LegacyTable) {
  struct Row {
    std::string_view error;
    K kind;
  };
  const Row rows[] = {
      {"Unavailable", K::kTransient},         {"InternalServerError", K::kTransient},
      {"DeviceMessageRateExceeded", K::kTransient}, {"TopicsMessageRateExceeded", K::kTransient},
      {"NotRegistered", K::kDeadToken},       {"InvalidRegistration", K::kDeadToken},
      {"MismatchSenderId", K::kPermanent},    {"MissingRegistration", K::kPermanent},
      {"InvalidPackageName", K::kPermanent},  {"MessageTooBig", K::kPermanent},
      {"InvalidDataKey", K::kPermanent},      {"InvalidTtl", K::kPermanent},
      {"InvalidParameters", K::kPermanent},   {"SomethingNew", K::kPermanent},
  };
  for (const Row& r : rows) {
    const std::string body = R"({"multicast_id":1,"success":0,"failure":1,"canonical_ids":0,"results":[{"error":")" +
                             std::string(r.error) + R"("}]})";
    const GcmVerdict v = classify_gcm_legacy_response(200, body, std::nullopt, kGcmNow);
    EXPECT_EQ(v.kind, r.kind) << r.error;
    EXPECT_EQ(v.response_text, "200 " + std::string(r.error));
    EXPECT_EQ(v.error_code, r.error);
  }
}

TEST(GcmResponse, LegacySuccessAndCanonicalToken) {
  auto v = classify_gcm_legacy_response(
      200, R"({"multicast_id":1,"success":1,"failure":0,"canonical_ids":0,"results":[{"message_id":"0:1234"}]})",
      std::nullopt, kGcmNow);
  EXPECT_EQ(v.kind, K::kDelivered);
  EXPECT_EQ(v.response_text, "200 0:1234");
  EXPECT_EQ(v.canonical_token, "");
  const std::string canonical(180, 'c');
  v = classify_gcm_legacy_response(
      200, R"({"success":1,"canonical_ids":1,"results":[{"message_id":"0:9","registration_id":")" + canonical + "\"}]}",
      std::nullopt, kGcmNow);
  EXPECT_EQ(v.kind, K::kDelivered);
  EXPECT_EQ(v.canonical_token, canonical);  // never cut
}

TEST(GcmResponse, LegacyHttpStatuses) {
  EXPECT_EQ(classify_gcm_legacy_response(400, "bad json", std::nullopt, kGcmNow).kind, K::kPermanent);
  auto v = classify_gcm_legacy_response(401, "", std::nullopt, kGcmNow);
  EXPECT_EQ(v.kind, K::kCredentials);
  EXPECT_EQ(v.response_text, "401 Unauthorized");
  v = classify_gcm_legacy_response(503, "", "30", kGcmNow);
  EXPECT_EQ(v.kind, K::kTransient);
  ASSERT_TRUE(v.retry_after);
  EXPECT_EQ(v.retry_after->count(), 30);
  EXPECT_EQ(classify_gcm_legacy_response(500, "", std::nullopt, kGcmNow).kind, K::kTransient);
  // A 200 that says nothing usable is not taken as delivered.
  EXPECT_EQ(classify_gcm_legacy_response(200, "", std::nullopt, kGcmNow).kind, K::kTransient);
  EXPECT_EQ(classify_gcm_legacy_response(200, R"({"results":[{}]})", std::nullopt, kGcmNow).kind, K::kTransient);
}
