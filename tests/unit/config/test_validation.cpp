// Validation errors as users see them (SPEC §2, §10): every error class,
// with its full message, line and column; all errors reported at once.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace impulse::config {
namespace {

struct Err {
  std::uint32_t line;
  std::uint32_t col;
  std::string message;
  bool operator==(const Err&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Err& e) {
  return os << e.line << ":" << e.col << ": " << e.message;
}

std::vector<Err> located_errors_of(std::string_view text) {
  auto r = load_config_text(text, "t.conf");
  std::vector<Err> out;
  if (r) return out;
  for (const auto& d : r.error()) {
    EXPECT_EQ(d.loc.file, "t.conf");
    out.push_back(Err{d.loc.line, d.loc.col, d.message});
  }
  return out;
}

void expect_valid(std::string_view text) {
  auto r = load_config_text(text, "t.conf");
  if (!r)
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
}

TEST(Validation, UnknownOptionNamesTheClosestOne) {
  EXPECT_EQ(located_errors_of("max_outbound_conections = 10\n"),
            (std::vector<Err>{{1, 1, "unknown option 'max_outbound_conections'; did you mean 'max_outbound_connections'?"}}));
  EXPECT_EQ(located_errors_of("Domain example.com {\n  Delivery_Methd = LMTP\n}\n"),
            (std::vector<Err>{{2, 3, "unknown option 'Delivery_Methd'; did you mean 'delivery_method'?"}}));
}

TEST(Validation, UnknownOptionWithoutACloseMatch) {
  EXPECT_EQ(located_errors_of("frobnicate_the_widgets = 1\n"),
            (std::vector<Err>{{1, 1, "unknown option 'frobnicate_the_widgets'"}}));
}

TEST(Validation, ScopeKeywordUsedAsOption) {
  EXPECT_EQ(located_errors_of("domain = example.com\n"),
            (std::vector<Err>{{1, 1, "unknown option 'domain'; 'domain' is a scope: write domain { ... }"}}));
}

TEST(Validation, UnknownScopeKeyword) {
  EXPECT_EQ(located_errors_of("Bindng \"b1\" {\n  max_outbound_connections = 3\n}\n"),
            (std::vector<Err>{{1, 1, "unknown scope 'Bindng'; did you mean 'binding'?"}}));
  EXPECT_EQ(located_errors_of("widget_factory { }\n"), (std::vector<Err>{{1, 1, "unknown scope 'widget_factory'"}}));
  EXPECT_EQ(located_errors_of("routes { }\n"),
            (std::vector<Err>{{1, 1, "unknown scope 'routes'; 'routes' is an option: write routes = value"}}));
}

TEST(Validation, OptionNotValidInScopeListsValidScopes) {
  EXPECT_EQ(located_errors_of("Binding b1 {\n  Routes = ( \"mx.example.com\" )\n}\n"),
            (std::vector<Err>{{2, 3, "option 'routes' is not valid in binding scope (valid in: domain, global)"}}));
  EXPECT_EQ(located_errors_of("Domain example.com {\n  Spoolbase = \"/tmp/x\"\n}\n"),
            (std::vector<Err>{{2, 3, "option 'spoolbase' is not valid in domain scope (valid in: global)"}}));
  EXPECT_EQ(located_errors_of("mainlog = \"/tmp/m\"\n"),
            (std::vector<Err>{{1, 1, "option 'mainlog' is not valid in global scope (valid in: ec_logger)"}}));
  EXPECT_EQ(located_errors_of("bounce_logger \"bounce_logger\" {\n  mainlog = \"/tmp/m\"\n}\n"),
            (std::vector<Err>{{2, 3, "option 'mainlog' is not valid in bounce_logger scope (valid in: ec_logger)"}}));
}

TEST(Validation, ScopeNotAllowedHereListsWhereItIs) {
  EXPECT_EQ(located_errors_of("Domain example.com {\n  Binding b1 { }\n}\n"),
            (std::vector<Err>{{2, 3, "scope 'binding' is not valid in domain scope (valid in: binding_group, global)"}}));
  EXPECT_EQ(located_errors_of("Listen \"127.0.0.1:25\" { }\n"),
            (std::vector<Err>{{1, 1,
                               "scope 'listen' is not valid in global scope (valid in: control_listener, "
                               "ecstream_listener, esmtp_listener, http_listener)"}}));
  EXPECT_EQ(located_errors_of("Binding_Group g1 {\n  Binding_Group g2 { }\n}\n"),
            (std::vector<Err>{{2, 3, "scope 'binding_group' is not valid in binding_group scope (valid in: global)"}}));
  EXPECT_EQ(located_errors_of("Host mx1 {\n  Domain example.com { }\n}\n"),
            (std::vector<Err>{{2, 3, "scope 'domain' is not valid in host scope (valid in: binding, binding_group, global)"}}));
}

TEST(Validation, OptionsInsideAMisplacedScopeAreStillChecked) {
  EXPECT_EQ(located_errors_of("Domain a.com {\n  Binding b1 {\n    lmtp_port = big\n  }\n}\n"),
            (std::vector<Err>{{2, 3, "scope 'binding' is not valid in domain scope (valid in: binding_group, global)"},
                              {3, 17, "expected an integer between 0 and 65535"}}));
}

TEST(Validation, BadValuesSayWhatWasExpectedAtTheValue) {
  EXPECT_EQ(located_errors_of("LMTP_Port = 99999\n"), (std::vector<Err>{{1, 13, "expected an integer between 0 and 65535"}}));
  EXPECT_EQ(located_errors_of("Delivery_Method = \"pigeon\"\n"),
            (std::vector<Err>{{1, 19, "expected one of: esmtp, smtp, lmtp, ecstream, apn, gcm, mm7"}}));
  EXPECT_EQ(located_errors_of("use_ipv6 = perhaps\n"),
            (std::vector<Err>{{1, 12, "expected a boolean (true/false, on/off, yes/no, 1/0)"}}));
  EXPECT_EQ(located_errors_of("Retry_Interval = soon\n"), (std::vector<Err>{{1, 18, "expected a whole number of seconds"}}));
  EXPECT_EQ(located_errors_of("outbound_throttle_messages = \"fast\"\n"),
            (std::vector<Err>{{1, 30, "expected a rate \"N\" or \"N/S\" (N per S seconds)"}}));
  EXPECT_EQ(located_errors_of("max_retries = always\n"),
            (std::vector<Err>{{1, 15, "expected auto, none or a whole number of retries"}}));
  EXPECT_EQ(located_errors_of("spool_mode = 0999\n"), (std::vector<Err>{{1, 14, "expected an octal file mode such as 0640"}}));
  EXPECT_EQ(located_errors_of("lmtp_port = ( 1 2 )\n"),
            (std::vector<Err>{{1, 13, "expected an integer between 0 and 65535, not a list"}}));
}

TEST(Validation, MalformedRouteUrls) {
  EXPECT_EQ(located_errors_of("Routes = ( \"ftp://mx.example.com\" )\n"),
            (std::vector<Err>{{1, 12, "unknown route scheme 'ftp'; expected one of: smtp, lmtp, apn, gcm, mm7, mm7s, http, https"}}));
  EXPECT_EQ(located_errors_of("Routes = ( __mx__ \"smtp://?pref=1\" )\n"), (std::vector<Err>{{1, 19, "empty host in route"}}));
  EXPECT_EQ(located_errors_of("Routes = ( \"smtp://h?pref=x\" \"smtp://h?ttl=y\" \"smtp://h?port=0\" \"smtp://h?type=ns\" )\n"),
            (std::vector<Err>{{1, 12, "bad route parameter 'pref=x': expected an integer between 0 and 65535"},
                              {1, 30, "bad route parameter 'ttl=y': expected an integer between 0 and 4294967295"},
                              {1, 47, "bad route parameter 'port=0': expected an integer between 1 and 65535"},
                              {1, 65, "bad route parameter 'type=ns': expected one of: mx, a"}}));
}

TEST(Validation, BadCidrs) {
  EXPECT_EQ(located_errors_of("Prohibited_Hosts = ( 127.0.0.0/8 \"0.0.0.0\" localhost 10.0.0.0/99 )\n"),
            (std::vector<Err>{{1, 44, "expected an IPv4 or IPv6 address with optional /prefix"},
                              {1, 54, "expected a prefix length between 0 and 32"}}));
  EXPECT_EQ(located_errors_of("ESMTP_Listener {\n  Peer \"10.0.0.0/33\" { }\n}\n"),
            (std::vector<Err>{{2, 8, "expected a prefix length between 0 and 32"}}));
}

TEST(Validation, Ipv6MustBeBracketedWhereAPortMayFollow) {
  const std::string kHint = "IPv6 address must be in brackets, e.g. \"[::1]:25\"";
  EXPECT_EQ(located_errors_of("Gateway = \"fe80::a00\"\n"), (std::vector<Err>{{1, 11, kHint}}));
  EXPECT_EQ(located_errors_of("Routes = ( \"2001:db8::1\" )\n"), (std::vector<Err>{{1, 12, kHint}}));
  EXPECT_EQ(located_errors_of("ESMTP_Listener {\n  Listen \"::1:25\" { }\n}\n"), (std::vector<Err>{{2, 10, kHint}}));
  // CIDR-only options take bare IPv6.
  expect_valid("Prohibited_Hosts = ( ::1 \"fe80::/10\" )\nESMTP_Listener {\n  Relay_Hosts = ( \"::1\" )\n}\n");
}

TEST(Validation, RegexDomainNames) {
  expect_valid("Domain \"/(?:^|[.])example[.](com|co[.]uk)$/\" {\n  max_outbound_connections = 3\n}\n");
  auto errs = located_errors_of("Domain \"/(unclosed/\" {\n}\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].line, 1u);
  EXPECT_EQ(errs[0].col, 8u);
  EXPECT_TRUE(errs[0].message.starts_with("invalid regular expression in domain name \"/(unclosed/\": "))
      << errs[0].message;
  EXPECT_EQ(located_errors_of("Domain \"//\" { }\n"), (std::vector<Err>{{1, 8, "empty regular expression in domain name"}}));
  EXPECT_EQ(located_errors_of("Domain \"a b.com\" { }\n"),
            (std::vector<Err>{{1, 8, "domain name 'a b.com' must be a name without spaces or a /regex/"}}));
}

TEST(Validation, BindingNames) {
  EXPECT_EQ(located_errors_of("Binding \"b 1\" { }\n"),
            (std::vector<Err>{{1, 9, "binding name 'b 1' must be non-empty without spaces or colons"}}));
  EXPECT_EQ(located_errors_of("Binding \"b:1\" { }\n"),
            (std::vector<Err>{{1, 9, "binding name 'b:1' must be non-empty without spaces or colons"}}));
  EXPECT_EQ(located_errors_of("Binding_Group \"g 1\" { }\n"),
            (std::vector<Err>{{1, 15, "binding_group name 'g 1' must be non-empty without spaces"}}));
  expect_valid("Binding_Group \"g:1\" { }\n");
}

TEST(Validation, NamesRequiredOrForbidden) {
  EXPECT_EQ(located_errors_of("Domain {\n}\n"),
            (std::vector<Err>{{1, 1, "domain scope needs a name, e.g. domain \"example.com\" { }"}}));
  EXPECT_EQ(located_errors_of("Binding { }\n"), (std::vector<Err>{{1, 1, "binding scope needs a name, e.g. binding \"name\" { }"}}));
  EXPECT_EQ(located_errors_of("ESMTP_Listener \"main\" { }\n"), (std::vector<Err>{{1, 16, "esmtp_listener scope takes no name"}}));
  expect_valid("apn { enabled = true }\nec_logger \"ec_logger\" { heartbeat = 30 }\n");
}

TEST(Validation, BindingDeclaredInTwoContainers) {
  EXPECT_EQ(located_errors_of("Binding_Group g1 {\n  Binding b1 { }\n}\nBinding b1 { }\n"),
            (std::vector<Err>{{4, 9, "binding 'b1' is already declared in binding_group 'g1' (t.conf:2)"}}));
  // Reopening it in the same group merges.
  expect_valid("Binding_Group g1 {\n  Binding b1 { }\n}\nBinding_Group g1 {\n  Binding b1 { }\n}\n");
}

TEST(Validation, AllErrorsAtOnceInFileOrder) {
  auto errs = located_errors_of(
      "Max_Outbound_Conections = 10\n"
      "Domain example.com {\n"
      "  Routes = ( \"smtp://[::1]?pref=abc\" )\n"
      "}\n"
      "Binding b1 {\n"
      "  Routes = ( \"mx.example.com\" )\n"
      "  lmtp_port = -3\n"
      "}\n");
  EXPECT_EQ(errs,
            (std::vector<Err>{
                {1, 1, "unknown option 'Max_Outbound_Conections'; did you mean 'max_outbound_connections'?"},
                {3, 14, "bad route parameter 'pref=abc': expected an integer between 0 and 65535"},
                {6, 3, "option 'routes' is not valid in binding scope (valid in: domain, global)"},
                {7, 15, "expected an integer between 0 and 65535"},
            }));
}

TEST(Validation, ParseAndValidationErrorsTogether) {
  auto errs = located_errors_of("lmtp_port = x\nEhlo_Hostname = \"abc\n");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0], (Err{1, 13, "expected an integer between 0 and 65535"}));
  EXPECT_EQ(errs[1].line, 2u);
  EXPECT_EQ(errs[1].col, 17u);
}

TEST(Validation, DefaultConfigurationOfTheRepositoryIsValid) {
  auto r = load_config(std::string(IMPULSE_SOURCE_DIR) + "/etc/impulse.conf");
  if (!r)
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
}

TEST(Validation, MissingFileIsOneError) {
  auto r = load_config("/nonexistent/impulse.conf");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].loc.file, "/nonexistent/impulse.conf");
}

TEST(Validation, NeverCrashesOnOddInput) {
  for (std::string_view text : {"", "{", "}", "Domain", "Domain \"\" { }", "= = =", "Routes = ( ( ( ) ) )",
                                "Binding \"\" { Domain \"/\" { Host \"//\" { } } }", "Peer \"\" { }",
                                "ESMTP_Listener { Listen \"\" { Peer \"x\" { Listen \"y\" { } } } }",
                                "context = [ a = ( b ) ]", "ec_logger { ec_logger { } }"}) {
    auto r = load_config_text(text, "t.conf");
    (void)r;
  }
  SUCCEED();
}

}  // namespace
}  // namespace impulse::config
