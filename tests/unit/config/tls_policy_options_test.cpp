// use_dane / use_mta_sts and their companions are accepted by --check
// without a warning now that the SMTP client enforces both (SPEC §19;
// delivery/smtp/dane_lookup.hpp, mta_sts_gate.hpp). Until issue 20 they
// warned "accepted but ... not enforced yet" (config/tls_policy_checks,
// removed).
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

TEST(TlsPolicyOptions, UseDaneAndUseMtaStsAreAcceptedWithoutAWarning) {
  EXPECT_EQ(warnings_of("use_dane = true\n"
                        "use_mta_sts = true\n"
                        "mta_sts_policy_store = \"/var/spool/impulse/mta-sts\"\n"
                        "domain \"y.com\" {\n"
                        "  use_mta_sts = true\n"
                        "  use_dane = true\n"
                        "}\n"
                        "binding \"b\" {\n"
                        "  enable_mta_sts = false\n"
                        "  enable_dane = false\n"
                        "}\n"),
            std::vector<std::string>{});
}

TEST(TlsPolicyOptions, UseMtaStsIsNotABindingOption) {
  auto r = load_config_text("binding \"b\" {\n  use_mta_sts = true\n}\n", "t.conf");
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace impulse::config
