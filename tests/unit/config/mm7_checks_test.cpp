// --check's MM7 errors (config/mm7_checks.hpp; SPEC §14): status-code
// override lists, MM7_VASP_Basic_Auth and MM7_VASP_Path.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

TEST(Mm7Check, StatusCodeListsHoldNumbers) {
  EXPECT_EQ(errors_of("domain \"m.test\" {\n  delivery_method = MM7\n"
                      "  mm7_permanent_status_codes = ( \"3001\" \"30x1\" )\n"
                      "  mm7_temporary_status_codes = ( \"12345\" )\n}\n"),
            (std::vector<std::string>{
                "t.conf:3:3: error: mm7_permanent_status_codes: \"30x1\" is not an MM7 status code (0-9999)",
                "t.conf:4:3: error: mm7_temporary_status_codes: \"12345\" is not an MM7 status code (0-9999)"}));
  EXPECT_EQ(errors_of("mm7_permanent_status_codes = ( \"3001\" \"4006\" )\n"), std::vector<std::string>{});
}

TEST(Mm7Check, VaspBasicAuthAndPath) {
  EXPECT_EQ(errors_of("http_listener {\n  mm7_vasp_path = \"mm7/dr\"\n  mm7_vasp_basic_auth = \"nocolon\"\n"
                      "  listen \"127.0.0.1:8081\" { mm7_vasp_path = \"/dr/{x}\" }\n}\n"),
            (std::vector<std::string>{
                "t.conf:2:3: error: mm7_vasp_path \"mm7/dr\" must be an absolute path without '{', '}', '?', '#' "
                "or spaces",
                "t.conf:3:3: error: mm7_vasp_basic_auth must be \"user:password\"",
                "t.conf:4:29: error: mm7_vasp_path \"/dr/{x}\" must be an absolute path without '{', '}', '?', "
                "'#' or spaces"}));
  EXPECT_EQ(errors_of("http_listener {\n  mm7_vasp_path = \"/mm7/dr\"\n  mm7_vasp_basic_auth = \"u:p\"\n"
                      "  listen \"127.0.0.1:8081\" { }\n}\n"),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace impulse::config
