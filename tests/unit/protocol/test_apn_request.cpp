// Tests for protocol/apn_request.hpp: SPEC §12's header mapping (part header,
// else option, else omitted), the payload checks that stop a request before
// it is sent, and the apns-id format.
#include "protocol/apn_request.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string_view>

using namespace impulse::protocol;

namespace {

constexpr std::string_view kApnToken = "00112233445566778899aabbccddeeff";
constexpr std::string_view kId = "123e4567-e89b-42d3-a456-426614174000";
constexpr std::int64_t kRequestNow = 1'800'000'000;

ChannelPart part(std::string payload, std::vector<std::pair<std::string, std::string>> headers = {}) {
  ChannelPart p;
  p.payload = std::move(payload);
  p.headers = std::move(headers);
  return p;
}

std::map<std::string, std::string> header_map(const ApnRequest& r) {
  return {r.headers.begin(), r.headers.end()};
}

std::vector<std::string> header_names(const ApnRequest& r) {
  std::vector<std::string> out;
  for (const auto& h : r.headers) out.push_back(h.first);
  return out;
}

}  // namespace

TEST(ApnRequest, OptionsFillWhatThePartDoesNotSetAndTheOrderIsFixed) {
  ApnOptions o;
  o.topic = "com.example.app";
  o.priority = "5";
  o.expiry_seconds = 3600;
  auto r = build_apn_request(part(R"({"aps":{"alert":"hi"}})"), kApnToken, o, kRequestNow, std::string(kId));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->path, "/3/device/00112233445566778899aabbccddeeff");
  EXPECT_EQ(r->body, R"({"aps":{"alert":"hi"}})");
  EXPECT_EQ(r->apns_id, kId);
  EXPECT_EQ(header_names(*r),
            (std::vector<std::string>{"apns-topic", "apns-push-type", "apns-priority", "apns-expiration", "apns-id"}));
  auto h = header_map(*r);
  EXPECT_EQ(h["apns-topic"], "com.example.app");
  EXPECT_EQ(h["apns-push-type"], "alert");
  EXPECT_EQ(h["apns-priority"], "5");
  EXPECT_EQ(h["apns-expiration"], "1800003600");  // now + APN_Expiry, absolute
  EXPECT_EQ(h["apns-id"], kId);
}

TEST(ApnRequest, PartHeadersWinOverOptions) {
  ApnOptions o;
  o.topic = "com.example.app";
  o.priority = "5";
  o.expiry_seconds = 3600;
  auto r = build_apn_request(part(R"({"aps":{"content-available":1}})", {{"X-APNs-Topic", "com.example.other"},
                                                                           {"x-apns-push-type", "background"},
                                                                           {"X-APNs-Priority", "10"},
                                                                           {"X-APNs-Collapse-ID", "order-42"},
                                                                           {"X-APNs-Expiration", "1900000000"}}),
                             kApnToken, o, kRequestNow, std::string(kId));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(header_names(*r), (std::vector<std::string>{"apns-topic", "apns-push-type", "apns-priority",
                                                        "apns-collapse-id", "apns-expiration", "apns-id"}));
  auto h = header_map(*r);
  EXPECT_EQ(h["apns-topic"], "com.example.other");
  EXPECT_EQ(h["apns-push-type"], "background");
  EXPECT_EQ(h["apns-priority"], "10");
  EXPECT_EQ(h["apns-collapse-id"], "order-42");
  EXPECT_EQ(h["apns-expiration"], "1900000000");  // as given, not relative
}

TEST(ApnRequest, NothingOptionalIsSentWhenNothingSetsIt) {
  auto r = build_apn_request(part("{}"), kApnToken, ApnOptions{}, kRequestNow, std::string(kId));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(header_names(*r), (std::vector<std::string>{"apns-push-type", "apns-id"}));
}

TEST(ApnRequest, TokenAuthNeedsATopic) {
  ApnOptions o;
  o.token_auth = true;
  auto r = build_apn_request(part("{}"), kApnToken, o, kRequestNow, std::string(kId));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "no APNs topic (X-APNs-Topic or APN_Topic) with token authentication");
  o.topic = "com.example.app";
  EXPECT_TRUE(build_apn_request(part("{}"), kApnToken, o, kRequestNow, std::string(kId)));
}

TEST(ApnRequest, PayloadMustBeAJsonObject) {
  auto bad = build_apn_request(part(R"({"aps":{"alert":"hi"})"), kApnToken, ApnOptions{}, kRequestNow, std::string(kId));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().starts_with("APN payload is not valid JSON"));
  auto array = build_apn_request(part("[1,2]"), kApnToken, ApnOptions{}, kRequestNow, std::string(kId));
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error(), "APN payload is not a JSON object");
  EXPECT_FALSE(build_apn_request(part(""), kApnToken, ApnOptions{}, kRequestNow, std::string(kId)));
}

TEST(ApnRequest, SizeLimitIs4096AndVoip5120) {
  auto json_of_size = [](std::size_t n) {
    std::string s = R"({"aps":{},"pad":")";
    s += std::string(n - s.size() - 2, 'x');
    s += "\"}";
    return s;
  };
  ASSERT_EQ(json_of_size(4096).size(), 4096u);
  EXPECT_TRUE(build_apn_request(part(json_of_size(4096)), kApnToken, ApnOptions{}, kRequestNow, std::string(kId)));
  auto over = build_apn_request(part(json_of_size(4097)), kApnToken, ApnOptions{}, kRequestNow, std::string(kId));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), "APN payload of 4097 bytes exceeds the 4096-byte limit");
  ApnOptions voip;
  voip.push_type = "voip";
  EXPECT_TRUE(build_apn_request(part(json_of_size(5120)), kApnToken, voip, kRequestNow, std::string(kId)));
  EXPECT_FALSE(build_apn_request(part(json_of_size(5121)), kApnToken, voip, kRequestNow, std::string(kId)));
  EXPECT_TRUE(build_apn_request(part(json_of_size(5000), {{"X-APNs-Push-Type", "voip"}}), kApnToken, ApnOptions{}, kRequestNow,
                                std::string(kId)));
}

TEST(ApnRequest, HeaderValuesThatCannotBeSentAreRefused) {
  EXPECT_FALSE(build_apn_request(part("{}", {{"X-APNs-Expiration", "tomorrow"}}), kApnToken, ApnOptions{}, kRequestNow,
                                 std::string(kId)));
  EXPECT_FALSE(build_apn_request(part("{}", {{"X-APNs-Priority", "high"}}), kApnToken, ApnOptions{}, kRequestNow,
                                 std::string(kId)));
  EXPECT_FALSE(build_apn_request(part("{}", {{"X-APNs-Collapse-ID", "a\r\nb"}}), kApnToken, ApnOptions{}, kRequestNow,
                                 std::string(kId)));
}

TEST(ApnsId, LowerCaseUuidV4FromTheRandomSource) {
  std::uint64_t draws[] = {0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull};
  int i = 0;
  const std::string id = new_apns_id([&] { return draws[i++]; });
  EXPECT_EQ(i, 2);
  EXPECT_EQ(id, "ffffffff-ffff-4fff-8123-456789abcdef");
  // The shape [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}, checked by hand
  // (std::regex trips a GCC 12 -Wmaybe-uninitialized false positive in the asan-ubsan preset).
  const auto uuid_v4 = [](const std::string& u) {
    if (u.size() != 36 || u[14] != '4' || std::string_view("89ab").find(u[19]) == std::string_view::npos) return false;
    for (std::size_t p = 0; p < u.size(); ++p) {
      const bool dash = p == 8 || p == 13 || p == 18 || p == 23;
      if (dash != (u[p] == '-')) return false;
      if (!dash && std::string_view("0123456789abcdef").find(u[p]) == std::string_view::npos) return false;
    }
    return true;
  };
  std::uint64_t x = 42;
  for (int k = 0; k < 50; ++k) {
    auto next = [&] { return x = x * 6364136223846793005ull + 1442695040888963407ull; };
    const std::string made = new_apns_id(next);
    EXPECT_TRUE(uuid_v4(made)) << made;
  }
}
