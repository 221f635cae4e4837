// delivery/smtp/mta_sts_gate.hpp's pure parts (SPEC §19 use_mta_sts): the
// options that turn MTA-STS on (use_mta_sts and enable_mta_sts, both), the
// testing mode's log lines for an MX or a connection enforce would refuse, and the TLS
// context basis that loads the CA bundle.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "delivery/smtp/mta_sts_gate.hpp"

namespace impulse::delivery::smtp {
namespace {

config::ConfigPtr load(std::string_view text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

TEST(MtaStsGate, UseAndEnableMustBothBeOn) {
  auto cfg = load("domain \"sts.test\" {\n  use_mta_sts = true\n}\n"
                  "binding \"off\" {\n  enable_mta_sts = false\n}\n");
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(mta_sts_enabled(*cfg, config::OutboundKey{"default", "sts.test"}));
  EXPECT_FALSE(mta_sts_enabled(*cfg, config::OutboundKey{"off", "sts.test"}));
  EXPECT_FALSE(mta_sts_enabled(*cfg, config::OutboundKey{"default", "other.test"}));
}

TEST(MtaStsGate, TestingModeNotesOnlyAnMxOutsideThePolicy) {
  const protocol::MtaStsPolicy testing{protocol::MtaStsMode::kTesting, 86400, {"mx1.sts.test"}};
  EXPECT_EQ(mta_sts_testing_note(testing, "sts.test", "mx9.sts.test."),
            "MTA-STS sts.test: testing mode: mx9.sts.test not in policy for sts.test (enforce would refuse it); "
            "delivering as configured");
  EXPECT_EQ(mta_sts_testing_note(testing, "sts.test", "MX1.sts.test"), "");
  const protocol::MtaStsPolicy enforce{protocol::MtaStsMode::kEnforce, 86400, {"mx1.sts.test"}};
  EXPECT_EQ(mta_sts_testing_note(enforce, "sts.test", "mx9.sts.test"), "");
}

TEST(MtaStsGate, TestingModeNotesAConnectionEnforceWouldRefuse) {
  EXPECT_EQ(mta_sts_testing_tls_note("sts.test", "mx1.sts.test.", false, ""),
            "MTA-STS sts.test: testing mode: mx1.sts.test: no TLS (enforce would refuse it); delivering as "
            "configured");
  EXPECT_EQ(mta_sts_testing_tls_note("sts.test", "mx1.sts.test", true, "certificate not signed by a trusted CA"),
            "MTA-STS sts.test: testing mode: mx1.sts.test: certificate not signed by a trusted CA (enforce would "
            "refuse it); delivering as configured");
  EXPECT_EQ(mta_sts_testing_tls_note("sts.test", "mx1.sts.test", true, ""), "");
}

TEST(MtaStsGate, TlsBasisLoadsTheCaWithoutLoweringVerification) {
  SmtpSettings s;
  s.tls_verify = TlsVerify::kNo;
  EXPECT_EQ(mta_sts_tls_basis(s).tls_verify, TlsVerify::kOptional);
  s.tls_verify = TlsVerify::kHost;
  EXPECT_EQ(mta_sts_tls_basis(s).tls_verify, TlsVerify::kHost);
}

}  // namespace
}  // namespace impulse::delivery::smtp
