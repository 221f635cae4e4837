// --check's warning for DANE and MTA-STS, configurable but not yet enforced
// by the SMTP client (config/tls_policy_checks.hpp; SPEC §19).
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace impulse::config {
namespace {

std::vector<std::string> warnings_of(std::string_view text) {
  auto r = load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return {};
  }
  std::vector<std::string> out;
  for (const auto& w : (*r)->warnings()) out.push_back(w.str());
  return out;
}

TEST(TlsPolicyCheck, UseMtaStsWarnsWhereItIsSetUseDaneDoesNot) {
  // DANE is enforced by the SMTP client (delivery/smtp/dane_lookup.hpp): no warning for use_dane.
  EXPECT_EQ(warnings_of("use_dane = true\n"
                        "domain \"y.com\" {\n"
                        "  use_mta_sts = true\n"
                        "  use_dane = true\n"
                        "}\n"),
            (std::vector<std::string>{
                "t.conf:3:3: warning: use_mta_sts is accepted but MTA-STS is not enforced yet: delivery uses the "
                "configured tls and tls_verify"}));
}

TEST(TlsPolicyCheck, OffOrAbsentSaysNothing) {
  EXPECT_EQ(warnings_of("use_dane = false\nuse_mta_sts = false\n"), std::vector<std::string>{});
  EXPECT_EQ(warnings_of("enable_dane = true\n"), std::vector<std::string>{});
}

}  // namespace
}  // namespace impulse::config
