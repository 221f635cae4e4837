// Unit tests for delivery/smtp/mta_sts_tls.hpp: the stricter of policy and
// configuration wins; enforce refuses an MX outside the policy.
#include "delivery/smtp/mta_sts_tls.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

using protocol::MtaStsMode;
using protocol::MtaStsPolicy;

const MtaStsPolicy kEnforce{MtaStsMode::kEnforce, 86400, {"mx.example.com", "*.mx.example.net"}};
const MtaStsPolicy kTesting{MtaStsMode::kTesting, 86400, {"mx.example.com"}};
const MtaStsPolicy kNone{MtaStsMode::kNone, 86400, {}};

TEST(MtaStsTls, NoPolicyKeepsTheConfiguration) {
  auto r = apply_mta_sts(nullptr, TlsMode::kIfAvailable, TlsVerify::kCa, "example.com", "anything.test");
  EXPECT_EQ(r, (TlsRequirement{TlsMode::kIfAvailable, TlsVerify::kCa, false, {}}));
  auto none = apply_mta_sts(&kNone, TlsMode::kNo, TlsVerify::kNo, "example.com", "x");
  EXPECT_EQ(none, (TlsRequirement{TlsMode::kNo, TlsVerify::kNo, false, {}}));
}

TEST(MtaStsTls, EnforceRequiresVerifiedTlsForListedMx) {
  auto r = apply_mta_sts(&kEnforce, TlsMode::kNo, TlsVerify::kNo, "example.com", "MX.example.com.");
  EXPECT_EQ(r.tls, TlsMode::kRequired);
  EXPECT_EQ(r.verify, TlsVerify::kHost);
  EXPECT_FALSE(r.refused);
  EXPECT_FALSE(apply_mta_sts(&kEnforce, TlsMode::kNo, TlsVerify::kNo, "example.com", "a.mx.example.net").refused);
}

TEST(MtaStsTls, EnforceRefusesAnMxOutsideThePolicy) {
  auto r = apply_mta_sts(&kEnforce, TlsMode::kRequired, TlsVerify::kHost, "example.com", "evil.test");
  EXPECT_TRUE(r.refused);
  EXPECT_EQ(r.reason, "MTA-STS: evil.test not in policy for example.com");
  EXPECT_EQ(apply_mta_sts(&kEnforce, TlsMode::kNo, TlsVerify::kNo, "example.com", "evil.test.").reason,
            "MTA-STS: evil.test not in policy for example.com");
}

TEST(MtaStsTls, TestingRaisesOnlyToIfAvailableAndOptional) {
  auto low = apply_mta_sts(&kTesting, TlsMode::kNo, TlsVerify::kNo, "example.com", "elsewhere.test");
  EXPECT_EQ(low, (TlsRequirement{TlsMode::kIfAvailable, TlsVerify::kOptional, false, {}}));
  auto high = apply_mta_sts(&kTesting, TlsMode::kRequired, TlsVerify::kHost, "example.com", "elsewhere.test");
  EXPECT_EQ(high, (TlsRequirement{TlsMode::kRequired, TlsVerify::kHost, false, {}}));
}

TEST(MtaStsTls, StrictnessOrder) {
  EXPECT_EQ(stricter(TlsVerify::kOptional, TlsVerify::kCa), TlsVerify::kCa);
  EXPECT_EQ(stricter(TlsVerify::kNo, TlsVerify::kOptional), TlsVerify::kOptional);
  EXPECT_EQ(stricter(TlsMode::kRequired, TlsMode::kIfAvailable), TlsMode::kRequired);
}

}  // namespace
}  // namespace impulse::delivery::smtp
