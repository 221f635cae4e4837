// --check's warning for use_dane where the delivery resolver would not
// validate DNSSEC (config/dane_checks.hpp; SPEC §19).
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

TEST(DaneCheck, DomainUseDaneWithoutValidationWarnsAtTheOption) {
  EXPECT_EQ(warnings_of("domain \"y.com\" {\n"
                        "  use_dane = true\n"
                        "}\n"),
            std::vector<std::string>{"t.conf:2:3: warning: use_dane has no effect here: DNSSEC validation is off "
                                     "(set DNSSEC_Trust_Anchor_File, or use_dane = true globally)"});
}

TEST(DaneCheck, EnableDaneTurnsDaneOnSoItWarnsToo) {
  EXPECT_EQ(warnings_of("binding \"b\" {\n"
                        "  enable_dane = true\n"
                        "}\n"),
            std::vector<std::string>{"t.conf:2:3: warning: enable_dane has no effect here: DNSSEC validation is off "
                                     "(set DNSSEC_Trust_Anchor_File, or use_dane = true globally)"});
  EXPECT_EQ(warnings_of("binding \"b\" {\n  enable_dane = false\n}\n"), std::vector<std::string>{});
}

TEST(DaneCheck, ValidationOnByGlobalUseDaneOrAnAnchorFileSaysNothing) {
  EXPECT_EQ(warnings_of("use_dane = true\ndomain \"y.com\" {\n  use_dane = true\n}\n"), std::vector<std::string>{});
  EXPECT_EQ(warnings_of("DNSSEC_Trust_Anchor_File = \"/usr/share/dns/root.key\"\n"
                        "domain \"y.com\" {\n  use_dane = true\n}\n"),
            std::vector<std::string>{});
  EXPECT_EQ(warnings_of("domain \"y.com\" {\n  use_dane = false\n}\n"), std::vector<std::string>{});
}

}  // namespace
}  // namespace impulse::config
