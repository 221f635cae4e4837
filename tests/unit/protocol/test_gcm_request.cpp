// Tests for protocol/gcm_request.hpp: SPEC §13's request body rules for FCM
// HTTP v1 (data map with string values, a "message" passed through with the
// token set, TTL, collapse key, dry run) and the legacy API, the payload
// checks that stop a request before it is sent, and the registration token.
#include "protocol/gcm_request.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

using namespace impulse::protocol;
namespace json = boost::json;

namespace {

constexpr std::string_view kFcmToken = "fcm-token:APA91b_x";

ChannelPart part(std::string payload, std::vector<std::pair<std::string, std::string>> headers = {}) {
  ChannelPart p;
  p.payload = std::move(payload);
  p.headers = std::move(headers);
  return p;
}

json::value v1(const ChannelPart& p, const GcmOptions& o = {}) {
  auto body = build_fcm_v1_body(p, kFcmToken, o);
  EXPECT_TRUE(body) << body.error();
  return body ? json::parse(*body) : json::value();
}

json::value legacy(const ChannelPart& p, const GcmOptions& o = {}) {
  auto body = build_gcm_legacy_body(p, kFcmToken, o);
  EXPECT_TRUE(body) << body.error();
  return body ? json::parse(*body) : json::value();
}

}  // namespace

TEST(GcmRequest, V1ObjectBecomesTheDataMapWithStringValues) {
  const json::value b = v1(part(R"({"title":"hi","count":3,"flag":true,"nested":{"a":[1,2]}})"));
  EXPECT_EQ(b, json::parse(R"({"message":{"data":{"title":"hi","count":"3","flag":"true",
                                  "nested":"{\"a\":[1,2]}"},"token":"fcm-token:APA91b_x"}})"));
}

TEST(GcmRequest, V1MessageIsPassedThroughWithTheTokenSet) {
  const json::value b = v1(part(
      R"({"message":{"token":"other","notification":{"title":"T"},"data":{"n":1},"android":{"priority":"HIGH"}}})"));
  const auto& m = b.at("message");
  EXPECT_EQ(m.at("token"), "fcm-token:APA91b_x");
  EXPECT_EQ(m.at("notification").at("title"), "T");
  EXPECT_EQ(m.at("data").at("n"), "1");
  EXPECT_EQ(m.at("android"), json::parse(R"({"priority":"HIGH"})"));
  EXPECT_FALSE(b.as_object().contains("validate_only"));
}

TEST(GcmRequest, V1OptionsAndHeadersFillAndroidAndValidateOnly) {
  GcmOptions o;
  o.ttl = 3600;
  o.dry_run = true;
  json::value b = v1(part(R"({"k":"v"})", {{"X-Collapse-Key", "news"}}), o);
  EXPECT_EQ(b.at("message").at("android"), json::parse(R"({"ttl":"3600s","collapse_key":"news"})"));
  EXPECT_EQ(b.at("validate_only"), true);
  // The header wins over the option.
  b = v1(part(R"({"k":"v"})", {{"X-Time-To-Live", "0"}, {"X-Dry-Run", "false"}}), o);
  EXPECT_EQ(b.at("message").at("android").at("ttl"), "0s");
  EXPECT_FALSE(b.as_object().contains("validate_only"));
  // Without TTL or collapse key there is no android object.
  b = v1(part(R"({"k":"v"})"));
  EXPECT_FALSE(b.at("message").as_object().contains("android"));
}

TEST(GcmRequest, V1FieldsThePayloadSetsAreKept) {
  GcmOptions o;
  o.ttl = 60;
  o.dry_run = true;
  const json::value b = v1(part(R"({"validate_only":false,"message":{"android":{"ttl":"5s"}}})",
                                {{"X-Collapse-Key", "c"}}),
                           o);
  EXPECT_EQ(b.at("message").at("android").at("ttl"), "5s");
  EXPECT_EQ(b.at("message").at("android").at("collapse_key"), "c");
  EXPECT_EQ(b.at("validate_only"), false);
}

TEST(GcmRequest, LegacyBodyHasEveryField) {
  GcmOptions o;
  o.ttl = 600;
  o.delay_while_idle = true;
  o.application_id = "com.example.app";
  o.dry_run = true;
  json::value b = legacy(part(R"({"a":"b","n":2})", {{"X-Collapse-Key", "k"}}), o);
  EXPECT_EQ(b, json::parse(R"({"to":"fcm-token:APA91b_x","data":{"a":"b","n":"2"},"time_to_live":600,
                                "delay_while_idle":true,"restricted_package_name":"com.example.app",
                                "collapse_key":"k","dry_run":true})"));
  // Headers win; defaults send nothing optional.
  b = legacy(part("{}", {{"X-Time-To-Live", "10"}, {"X-Delay-While-Idle", "no"}, {"X-Application-ID", "com.other"},
                         {"X-Dry-Run", "0"}}),
             o);
  EXPECT_EQ(b, json::parse(R"({"to":"fcm-token:APA91b_x","data":{},"time_to_live":10,
                                "restricted_package_name":"com.other"})"));
  b = legacy(part("{}"));
  EXPECT_EQ(b, json::parse(R"({"to":"fcm-token:APA91b_x","data":{}})"));
}

TEST(GcmRequest, UnusablePayloadsAreRefusedBeforeAnyRequest) {
  const std::string big = R"({"k":")" + std::string(4100, 'x') + R"("})";
  for (const auto& [payload, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "empty"},
           {"  \r\n", "empty"},
           {"[1,2]", "not a JSON object"},
           {"{\"a\":", "not valid JSON"},
           {big, "exceeds the 4096-byte limit"},
       }) {
    auto a = build_fcm_v1_body(part(payload), kFcmToken, {});
    ASSERT_FALSE(a) << payload;
    EXPECT_NE(a.error().find(why), std::string::npos) << a.error();
    auto b = build_gcm_legacy_body(part(payload), kFcmToken, {});
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().find(why), std::string::npos) << b.error();
  }
  EXPECT_FALSE(build_fcm_v1_body(part(R"({"message":"x"})"), kFcmToken, {}));
  EXPECT_FALSE(build_fcm_v1_body(part(R"({"message":{"topic":"news"}})"), kFcmToken, {}));
  EXPECT_FALSE(build_fcm_v1_body(part(R"({"message":{"data":[1]}})"), kFcmToken, {}));
  EXPECT_FALSE(build_fcm_v1_body(part("{}", {{"X-Time-To-Live", "soon"}}), kFcmToken, {}));
  EXPECT_FALSE(build_fcm_v1_body(part("{}", {{"X-Time-To-Live", "2419201"}}), kFcmToken, {}));
  EXPECT_FALSE(build_gcm_legacy_body(part("{}", {{"X-Delay-While-Idle", "maybe"}}), kFcmToken, {}));
  // Exactly 4096 bytes is accepted.
  const std::string edge = R"({"k":")" + std::string(4096 - 8, 'x') + R"("})";
  ASSERT_EQ(edge.size(), 4096u);
  EXPECT_TRUE(build_fcm_v1_body(part(edge), kFcmToken, {}));
}

TEST(GcmRequest, RegistrationTokenFromHeaderElseLocalPart) {
  EXPECT_EQ(gcm_registration_token(part("{}", {{"X-Registration-ID", " abc:DEF-1 "}}), "local").value(), "abc:DEF-1");
  EXPECT_EQ(gcm_registration_token(part("{}"), "local-token").value(), "local-token");
  EXPECT_FALSE(gcm_registration_token(part("{}"), ""));
  EXPECT_FALSE(gcm_registration_token(part("{}", {{"X-Registration-ID", "a b"}}), "x"));
  EXPECT_FALSE(gcm_registration_token(part("{}", {{"X-Registration-ID", "a\"b"}}), "x"));
}

TEST(GcmRequest, V1PathNamesTheProject) {
  EXPECT_EQ(fcm_v1_path("my-project-1"), "/v1/projects/my-project-1/messages:send");
  EXPECT_EQ(fcm_v1_path("a/b c"), "/v1/projects/a%2Fb%20c/messages:send");
}
