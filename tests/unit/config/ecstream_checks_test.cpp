// --check's ECSTREAM warnings (config/ecstream_checks.hpp; SPEC §15): no
// Gateway where Delivery_Method = ECSTREAM is set, Routes where ECSTREAM
// delivers; a Gateway in an enclosing scope silences the first.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

TEST(EcstreamCheck, EcstreamWithoutGatewayAndWithRoutesWarnTwice) {
  EXPECT_EQ(warnings_of("domain \"y.com\" {\n"
                        "  delivery_method = \"ECSTREAM\"\n"
                        "  routes = ( \"10.0.0.5\" )\n"
                        "}\n"),
            (std::vector<std::string>{
                "t.conf:2:3: warning: Delivery_Method = ECSTREAM without a Gateway here: its mail will wait (451 "
                "4.4.0 [internal] ECSTREAM delivers to a Gateway; none is configured)",
                "t.conf:3:3: warning: Routes are not used for ECSTREAM delivery; set Gateway"}));
}

TEST(EcstreamCheck, GatewayInAnEnclosingScopeIsEnough) {
  EXPECT_EQ(warnings_of("gateway = \"10.0.0.5:1900\"\n"
                        "domain \"y.com\" { delivery_method = ECSTREAM }\n"),
            std::vector<std::string>{});
  EXPECT_EQ(warnings_of("delivery_method = ECSTREAM\ngateway = \"10.0.0.5\"\n"), std::vector<std::string>{});
}

TEST(EcstreamCheck, RoutesUnderAnInheritedEcstreamMethodWarn) {
  EXPECT_EQ(warnings_of("delivery_method = ECSTREAM\n"
                        "gateway = \"10.0.0.5\"\n"
                        "domain \"y.com\" { routes = ( \"10.0.0.6\" ) }\n"),
            std::vector<std::string>{"t.conf:3:18: warning: Routes are not used for ECSTREAM delivery; set Gateway"});
}

}  // namespace
}  // namespace impulse::config
