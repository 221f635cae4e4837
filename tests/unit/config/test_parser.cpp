// Tests for config/parser.hpp (parse_text without includes): every syntax
// form, the seed pages' configuration snippets, and every syntax error with
// its exact text, line and column. Include handling is in test_include.cpp.
#include "config/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

ParseResult parse(std::string_view text) { return parse_text(text, "t.conf", IncludeLoader{}); }

// A compact rendering of a tree: `name=value`, bare scalars as written,
// quoted ones in quotes, `(a b)`, `[k=v]`, `Keyword "name"{...}`.
std::string render(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Scalar: return v.quoted ? "\"" + v.text + "\"" : v.text;
    case Value::Kind::Array: {
      std::string out = "(";
      for (std::size_t i = 0; i < v.items.size(); ++i) out += (i ? " " : "") + render(v.items[i]);
      return out + ")";
    }
    case Value::Kind::Dict: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.entries.size(); ++i)
        out += (i ? " " : "") + v.entries[i].key + "=" + render(v.entries[i].value);
      return out + "]";
    }
  }
  return "?";
}
std::string render(const Scope& s) {
  std::string out;
  for (const auto& item : s.items) {
    if (!out.empty()) out += " ";
    if (item.assignment) {
      out += item.assignment->name + "=" + render(item.assignment->value);
    } else {
      const Scope& c = *item.scope;
      out += c.keyword + (c.name ? " \"" + *c.name + "\"" : "") + "{" + render(c) + "}";
    }
  }
  return out;
}

std::string at(const SourceLoc& loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

// Parses text that must be free of errors and renders it.
std::string ok(std::string_view text) {
  auto r = parse(text);
  EXPECT_EQ(errors_of(r), std::vector<std::string>{}) << text;
  return render(r.root);
}

using Errors = std::vector<std::string>;

// ---- syntax forms -----------------------------------------------------------

TEST(ParserTest, EmptyInputGivesEmptyRoot) {
  auto r = parse("");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.root.items.empty());
  EXPECT_EQ(r.root.keyword, "");
  EXPECT_EQ(at(r.root.loc), "t.conf:1:1");
}

TEST(ParserTest, AssignmentOfBareAndQuotedValues) {
  auto r = parse("Gateway = 10.10.10.50\n  Delivery_Method = \"LMTP\"\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.root.items.size(), 2u);
  const Assignment& a = *r.root.items[0].assignment;
  EXPECT_EQ(a.name, "Gateway");
  EXPECT_EQ(at(a.loc), "t.conf:1:1");
  EXPECT_EQ(a.value.kind, Value::Kind::Scalar);
  EXPECT_EQ(a.value.text, "10.10.10.50");
  EXPECT_FALSE(a.value.quoted);
  EXPECT_EQ(at(a.value.loc), "t.conf:1:11");
  const Assignment& b = *r.root.items[1].assignment;
  EXPECT_EQ(b.name, "Delivery_Method");
  EXPECT_EQ(at(b.loc), "t.conf:2:3");
  EXPECT_EQ(b.value.text, "LMTP");
  EXPECT_TRUE(b.value.quoted);
  EXPECT_EQ(at(b.value.loc), "t.conf:2:21");
}

TEST(ParserTest, NoSpacesAroundEquals) {
  EXPECT_EQ(ok("a=1 b=\"2\""), "a=1 b=\"2\"");
}

TEST(ParserTest, BothCommentKinds) {
  EXPECT_EQ(ok("# comment\n"
               "a = 1 # trailing\n"
               "/* block\n"
               "   b = 2 */ c = 3\n"
               "d = /* inline */ 4\n"),
            "a=1 c=3 d=4");
}

TEST(ParserTest, QuotedStringEscapes) {
  auto r = parse(R"(a = "say \"hi\" \\ x\ty\nz")");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.root.items[0].assignment->value.text, "say \"hi\" \\ x\ty\nz");
}

TEST(ParserTest, QuotedValueKeepsHashAndBraces) {
  EXPECT_EQ(ok("a = \"# not a comment { } ( ) [ ] =\""), "a=\"# not a comment { } ( ) [ ] =\"");
}

TEST(ParserTest, ArrayOfBareAndQuotedItems) {
  auto r = parse("Relay_Hosts = ( 127.0.0.0/8 \"10.10.10.0/24\" )");
  ASSERT_TRUE(r.errors.empty());
  const Value& v = r.root.items[0].assignment->value;
  EXPECT_EQ(v.kind, Value::Kind::Array);
  EXPECT_EQ(at(v.loc), "t.conf:1:15");
  ASSERT_EQ(v.items.size(), 2u);
  EXPECT_EQ(v.items[0].text, "127.0.0.0/8");
  EXPECT_FALSE(v.items[0].quoted);
  EXPECT_EQ(at(v.items[0].loc), "t.conf:1:17");
  EXPECT_EQ(v.items[1].text, "10.10.10.0/24");
  EXPECT_TRUE(v.items[1].quoted);
  EXPECT_EQ(at(v.items[1].loc), "t.conf:1:29");
}

TEST(ParserTest, EmptyArrayAndDictionary) {
  EXPECT_EQ(ok("a = ( ) b = ()  c = [ ]"), "a=() b=() c=[]");
}

TEST(ParserTest, NestedArraysAndDictionariesInArrays) {
  EXPECT_EQ(ok("a = ( x ( y \"z w\" ( ) ) [ k = v ] )"), "a=(x (y \"z w\" ()) [k=v])");
}

TEST(ParserTest, ArraySpansLines) {
  EXPECT_EQ(ok("Routes = (\n"
               "           \"smtp://10.0.11.7?pref=10\" \"smtp://10.0.11.8?pref=10\"\n"
               "           \"__mx__\"\n"
               "         )\n"),
            "Routes=(\"smtp://10.0.11.7?pref=10\" \"smtp://10.0.11.8?pref=10\" \"__mx__\")");
}

TEST(ParserTest, Dictionary) {
  auto r = parse("AuthDigestMD5Parameters = [ uri = \"digest:///x\"\n  realm = y ]");
  ASSERT_TRUE(r.errors.empty());
  const Value& v = r.root.items[0].assignment->value;
  EXPECT_EQ(v.kind, Value::Kind::Dict);
  EXPECT_EQ(at(v.loc), "t.conf:1:27");
  ASSERT_EQ(v.entries.size(), 2u);
  EXPECT_EQ(v.entries[0].key, "uri");
  EXPECT_EQ(at(v.entries[0].key_loc), "t.conf:1:29");
  EXPECT_EQ(v.entries[0].value.text, "digest:///x");
  EXPECT_TRUE(v.entries[0].value.quoted);
  EXPECT_EQ(v.entries[1].key, "realm");
  EXPECT_EQ(at(v.entries[1].key_loc), "t.conf:2:3");
  EXPECT_EQ(v.entries[1].value.text, "y");
}

TEST(ParserTest, DictionaryWithNestedValuesAndQuotedKey) {
  EXPECT_EQ(ok("c = [ \"a key\" = ( 1 2 ) b = [ x = y ] ]"), "c=[a key=(1 2) b=[x=y]]");
}

TEST(ParserTest, NamedScopeWithBareAndQuotedName) {
  auto r = parse("Domain local.example.com {\n  Gateway = 10.10.10.20\n}\nBinding \"b1\" { }\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.root.items.size(), 2u);
  const Scope& d = *r.root.items[0].scope;
  EXPECT_EQ(d.keyword, "Domain");
  ASSERT_TRUE(d.name.has_value());
  EXPECT_EQ(*d.name, "local.example.com");
  EXPECT_EQ(at(d.loc), "t.conf:1:1");
  EXPECT_EQ(at(d.name_loc), "t.conf:1:8");
  EXPECT_EQ(render(d), "Gateway=10.10.10.20");
  const Scope& b = *r.root.items[1].scope;
  EXPECT_EQ(b.keyword, "Binding");
  EXPECT_EQ(*b.name, "b1");
  EXPECT_EQ(at(b.name_loc), "t.conf:4:9");
  EXPECT_TRUE(b.items.empty());
}

TEST(ParserTest, AnonymousScope) {
  auto r = parse("ESMTP_Listener {\n  Listen \":25\" { }\n}");
  ASSERT_TRUE(r.errors.empty());
  const Scope& s = *r.root.items[0].scope;
  EXPECT_EQ(s.keyword, "ESMTP_Listener");
  EXPECT_FALSE(s.name.has_value());
  EXPECT_EQ(render(r.root), "ESMTP_Listener{Listen \":25\"{}}");
}

TEST(ParserTest, BraceOnTheNextLine) {
  EXPECT_EQ(ok("Domain example.com\n{\n  a = 1\n}\nControl_Listener\n{\n}\n"),
            "Domain \"example.com\"{a=1} Control_Listener{}");
}

TEST(ParserTest, BraceDirectlyAfterQuotedName) {
  EXPECT_EQ(ok("domain \"apn_example.com\"{ x = 1 }"), "domain \"apn_example.com\"{x=1}");
}

TEST(ParserTest, NestedScopes) {
  EXPECT_EQ(ok("Binding_Group g1 { Binding b1 { Domain d { Max_Outbound_Connections = 2 } } }"),
            "Binding_Group \"g1\"{Binding \"b1\"{Domain \"d\"{Max_Outbound_Connections=2}}}");
}

TEST(ParserTest, RepeatedScopesAppearTwice) {
  auto r = parse("Binding_Group \"g1\" { a = 1 }\nbinding_group \"g1\" { b = 2 }\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.root.items.size(), 2u);
  EXPECT_EQ(at(r.root.items[0].scope->loc), "t.conf:1:1");
  EXPECT_EQ(at(r.root.items[1].scope->loc), "t.conf:2:1");
  EXPECT_EQ(render(r.root), "Binding_Group \"g1\"{a=1} binding_group \"g1\"{b=2}");
}

TEST(ParserTest, SeveralStatementsOnOneLine) {
  EXPECT_EQ(ok("a = 1 b = ( 2 ) Domain x { c = 3 } d = [ e = 4 ]"),
            "a=1 b=(2) Domain \"x\"{c=3} d=[e=4]");
}

TEST(ParserTest, KeywordsAndNamesKeepTheirCase) {
  EXPECT_EQ(ok("MAX_outbound_Connections = 5\nDOMAIN Example.COM { Tls = IfAvailable }"),
            "MAX_outbound_Connections=5 DOMAIN \"Example.COM\"{Tls=IfAvailable}");
}

TEST(ParserTest, RegexDomainNames) {
  auto r = parse("domain \"/(?:^|[.])example[.](com|co[.]uk)$/\" { a = 1 }\n"
                 "Domain \"/^mx\\d+\\.example\\.net$/\" { }\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(*r.root.items[0].scope->name, "/(?:^|[.])example[.](com|co[.]uk)$/");
  EXPECT_EQ(*r.root.items[1].scope->name, "/^mx\\d+\\.example\\.net$/");
}

TEST(ParserTest, MultiProtocolDomainNameWithHashes) {
  EXPECT_EQ(ok("domain \"#smpp#air2web\" { }"), "domain \"#smpp#air2web\"{}");
}

TEST(ParserTest, Ipv6LiteralsWithAndWithoutPorts) {
  auto r = parse("Gateway = [::1]:2525\n"
                 "Routes = ( [::1] [fe80::a00]:26 \"smtp://[::1]:25\" )\n"
                 "ESMTP_Listener { Listen [::1]:25 { } }\n"
                 "Domain \"[IPv6:fd82::3629]\" { Gateway = [2001:db8::10] }\n");
  ASSERT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root),
            "Gateway=[::1]:2525 Routes=([::1] [fe80::a00]:26 \"smtp://[::1]:25\") "
            "ESMTP_Listener{Listen \"[::1]:25\"{}} "
            "Domain \"[IPv6:fd82::3629]\"{Gateway=[2001:db8::10]}");
  const Scope& listen = *r.root.items[2].scope->items[0].scope;
  EXPECT_EQ(at(listen.name_loc), "t.conf:3:25");
}

TEST(ParserTest, BareIpv6CidrsAreWords) {
  EXPECT_EQ(ok("Relay_Hosts = ( ::1 fe80::/10 2001:db8::/32 )\nPeer ::1/128 { }"),
            "Relay_Hosts=(::1 fe80::/10 2001:db8::/32) Peer \"::1/128\"{}");
}

TEST(ParserTest, Ipv6LiteralInDictionaryValue) {
  EXPECT_EQ(ok("a = [ host = [::1]:25 ]"), "a=[host=[::1]:25]");
}

TEST(ParserTest, OctalModesAndWordsWithPunctuation) {
  EXPECT_EQ(ok("File_Mode = 0666\nThreadPool accept-pool { }\nx = a,b\nListen_On = *:25"),
            "File_Mode=0666 ThreadPool \"accept-pool\"{} x=a,b Listen_On=*:25");
}

TEST(ParserTest, ModuleStanzas) {
  EXPECT_EQ(ok("ec_logger \"ec_logger\" {\n  mainlog = \"/var/log/ecelerity/mainlog.ec\"\n}\napn { }\n"),
            "ec_logger \"ec_logger\"{mainlog=\"/var/log/ecelerity/mainlog.ec\"} apn{}");
}

TEST(ParserTest, CrLfLineEnds) {
  auto r = parse("a = 1\r\nDomain x\r\n{\r\n  b = 2\r\n}\r\n");
  ASSERT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(render(r.root), "a=1 Domain \"x\"{b=2}");
  EXPECT_EQ(at(r.root.items[1].scope->items[0].assignment->loc), "t.conf:4:3");
}

TEST(ParserTest, LoneCrLineEnds) {
  auto r = parse("a = 1\rb = 2\r\rc = 3");
  ASSERT_EQ(errors_of(r), Errors{});
  EXPECT_EQ(at(r.root.items[2].assignment->loc), "t.conf:4:1");
}

TEST(ParserTest, DiagnosticsUseTheGivenFileName) {
  auto r = parse_text("}", "etc/impulse.conf", IncludeLoader{});
  EXPECT_EQ(errors_of(r), Errors{"etc/impulse.conf:1:1: error: unexpected '}': no scope is open here"});
}

// ---- the configuration snippets of the four seed pages ----------------------
// (Copied from /work/shared/seeds/. The manual elides lines with a bare
// `...`, which is not configuration; here it is a comment.)

TEST(SeedConfigTest, DeliveryMethodPage) {
  EXPECT_EQ(ok("Delivery_Method = \"ESMTP\"\n"
               "Delivery_Method = \"SMTP\"\n"
               "Delivery_Method = \"LMTP\"\n"
               "Delivery_Method = \"ECSTREAM\"\n"
               "Delivery_Method = \"APN\"\n"
               "Delivery_Method = \"GCM\"\n"
               "Delivery_Method = \"MM7\"\n"),
            "Delivery_Method=\"ESMTP\" Delivery_Method=\"SMTP\" Delivery_Method=\"LMTP\" "
            "Delivery_Method=\"ECSTREAM\" Delivery_Method=\"APN\" Delivery_Method=\"GCM\" "
            "Delivery_Method=\"MM7\"");
  EXPECT_EQ(ok("domain \"apn_example.com\"{\n"
               "  # ...\n"
               "  delivery_method = \"apn\"\n"
               "  routes = (\"apn://gateway.push.apple.com?port=2195\")\n"
               "}\n"
               "domain \"gcm.example.com\" {\n"
               "  # ...\n"
               "  delivery_method = \"gcm\"\n"
               "  routes = (\"gcm://android.google.apis.com?port=443\")\n"
               "}\n"),
            "domain \"apn_example.com\"{delivery_method=\"apn\" "
            "routes=(\"apn://gateway.push.apple.com?port=2195\")} "
            "domain \"gcm.example.com\"{delivery_method=\"gcm\" "
            "routes=(\"gcm://android.google.apis.com?port=443\")}");
}

TEST(SeedConfigTest, OutboundRoutingChapter) {
  EXPECT_EQ(ok("# route all mail to a \"smart host\"\n"
               "Gateway = 10.10.10.50\n"
               "\n"
               "# Except for mail for local.example.com\n"
               "Domain local.example.com {\n"
               "  # which is routed to this address\n"
               "  Gateway = 10.10.10.20\n"
               "  # using LMTP\n"
               "  Delivery_Method = LMTP\n"
               "}\n"),
            "Gateway=10.10.10.50 Domain \"local.example.com\"{Gateway=10.10.10.20 Delivery_Method=LMTP}");
}

TEST(SeedConfigTest, LmtpPortPage) {
  EXPECT_EQ(ok("LMTP_Port = 2003\n"), "LMTP_Port=2003");
}

TEST(SeedConfigTest, RoutesPage) {
  EXPECT_EQ(ok("Routes = ( \"smtp://1.2.3.4?pref=10&ttl=300&type=mx\" )\n"
               "Routes = ( \"my.local.smart.host\" )\n"
               "Routes = ( \"__mx__\" )\n"
               "Routes = ( \"smtp://my.local.smart.host?pref=1\" \"__mx__\" )\n"),
            "Routes=(\"smtp://1.2.3.4?pref=10&ttl=300&type=mx\") Routes=(\"my.local.smart.host\") "
            "Routes=(\"__mx__\") Routes=(\"smtp://my.local.smart.host?pref=1\" \"__mx__\")");
  EXPECT_EQ(ok("Routes = ( \n"
               "           \"smtp://10.0.11.7?pref=10\" \"smtp://10.0.11.8?pref=10\"\n"
               "           \"smtp://10.0.11.10?pref=10\" \"smtp://10.0.11.13?pref=10\"\n"
               "           \"smtp://10.0.11.56?pref=10\"\n"
               "         )\n"),
            "Routes=(\"smtp://10.0.11.7?pref=10\" \"smtp://10.0.11.8?pref=10\" "
            "\"smtp://10.0.11.10?pref=10\" \"smtp://10.0.11.13?pref=10\" \"smtp://10.0.11.56?pref=10\")");
  EXPECT_EQ(ok("domain \"apn_example.com\"{\n"
               "  # ...\n"
               "  delivery_method = \"apn\"\n"
               "  routes = (\"apn://gateway.push.apple.com?port=2195\")\n"
               "}\n"
               "domain \"gcm.example.com\" {\n"
               "  # ...\n"
               "  delivery_method = \"gcm\"\n"
               "  routes = (\"gcm://android.google.apis.com?port=443\")\n"
               "}\n"),
            "domain \"apn_example.com\"{delivery_method=\"apn\" "
            "routes=(\"apn://gateway.push.apple.com?port=2195\")} "
            "domain \"gcm.example.com\"{delivery_method=\"gcm\" "
            "routes=(\"gcm://android.google.apis.com?port=443\")}");
}

// ---- errors -------------------------------------------------------------------

TEST(ParserErrorTest, UnterminatedStringAtItsOpeningQuote) {
  auto r = parse("a = 1\nGateway = \"10.0.0.1\nb = 2\n");
  EXPECT_EQ(errors_of(r),
            Errors{"t.conf:2:11: error: unterminated string: missing closing '\"' on this line"});
  // The string ends at the line end; the next line parses normally.
  EXPECT_EQ(render(r.root), "a=1 Gateway=\"10.0.0.1\" b=2");
}

TEST(ParserErrorTest, UnterminatedCommentWhereItOpens) {
  auto r = parse("a = 1\n  /* no end\nb = 2\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:2:3: error: unterminated comment: '/*' has no matching '*/'"});
  EXPECT_EQ(render(r.root), "a=1");
}

TEST(ParserErrorTest, UnexpectedClosingBrace) {
  auto r = parse("a = 1\n}\nb = 2\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:2:1: error: unexpected '}': no scope is open here"});
  EXPECT_EQ(render(r.root), "a=1 b=2");
}

TEST(ParserErrorTest, ScopeNeverClosedIsReportedAtItsKeyword) {
  auto r = parse("a = 1\n  Domain \"x\"\n  {\n  b = 2\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:2:3: error: 'Domain' scope is never closed: missing '}'"});
  EXPECT_EQ(render(r.root), "a=1 Domain \"x\"{b=2}");
}

TEST(ParserErrorTest, EveryUnclosedScopeIsReported) {
  EXPECT_EQ(errors_of(parse("Binding b {\n Domain d {\n")),
            (Errors{"t.conf:2:2: error: 'Domain' scope is never closed: missing '}'",
                    "t.conf:1:1: error: 'Binding' scope is never closed: missing '}'"}));
}

TEST(ParserErrorTest, MissingEqualsBetweenNameAndValue) {
  auto r = parse("Gateway 10.0.0.1\nb = 2\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:1: error: expected '=' after 'Gateway' or '{' after '10.0.0.1'"});
  EXPECT_EQ(render(r.root), "b=2");
}

TEST(ParserErrorTest, LoneWord) {
  EXPECT_EQ(errors_of(parse("Domain { }\n  Gateway\nx = 1")),
            Errors{"t.conf:2:3: error: expected '=' or '{' after 'Gateway'"});
}

TEST(ParserErrorTest, ScopeNameWithoutBrace) {
  auto r = parse("Domain example.com\nGateway = 1\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:1: error: expected '=' after 'Domain' or '{' after 'example.com'"});
  EXPECT_EQ(render(r.root), "Gateway=1");
}

TEST(ParserErrorTest, MissingValue) {
  auto r = parse("Gateway =\nb = 2\nDomain x { c = }\n");
  EXPECT_EQ(errors_of(r), (Errors{"t.conf:1:1: error: missing value after '=' for 'Gateway'",
                                  "t.conf:3:12: error: missing value after '=' for 'c'"}));
  EXPECT_EQ(render(r.root), "b=2 Domain \"x\"{}");
}

TEST(ParserErrorTest, MissingValueAtEndOfFile) {
  EXPECT_EQ(errors_of(parse("x = ")), Errors{"t.conf:1:1: error: missing value after '=' for 'x'"});
}

TEST(ParserErrorTest, UnexpectedTokenWhereAStatementWasExpected) {
  EXPECT_EQ(errors_of(parse("= 5\n\"Gateway\" = 1\n( a b )\n) x\n")),
            (Errors{"t.conf:1:1: error: unexpected '=' where a statement was expected",
                    "t.conf:2:1: error: unexpected \"Gateway\" where a statement was expected",
                    "t.conf:3:1: error: unexpected '(' where a statement was expected",
                    "t.conf:4:1: error: unexpected ')' where a statement was expected"}));
}

TEST(ParserErrorTest, StrayBraceGroupIsSkippedWhole) {
  auto r = parse("{ a = 1\n b = 2 }\nc = 3");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:1: error: unexpected '{' where a statement was expected"});
  EXPECT_EQ(render(r.root), "c=3");
}

TEST(ParserErrorTest, SemicolonGetsAHint) {
  auto r = parse("a = 1;\nb = \"2\"; c = 3\n;\n");
  EXPECT_EQ(errors_of(r),
            (Errors{"t.conf:1:6: error: unexpected ';': statements have no terminator; remove it",
                    "t.conf:2:8: error: unexpected ';': statements have no terminator; remove it",
                    "t.conf:3:1: error: unexpected ';': statements have no terminator; remove it"}));
  EXPECT_EQ(render(r.root), "a=1 b=\"2\" c=3");
}

TEST(ParserErrorTest, CommaInArrayGetsAHint) {
  auto r = parse("Relay_Hosts = ( 127.0.0.1, \"::1\" ,10.0.0.0/8 )");
  EXPECT_EQ(errors_of(r),
            (Errors{"t.conf:1:26: error: unexpected ',' in array: array elements are separated by spaces, not commas",
                    "t.conf:1:34: error: unexpected ',' in array: array elements are separated by spaces, not commas"}));
  EXPECT_EQ(render(r.root), "Relay_Hosts=(127.0.0.1 \"::1\" 10.0.0.0/8)");
}

TEST(ParserErrorTest, ArrayNotClosedBeforeNextStatement) {
  auto r = parse("a = ( x y\nb = 2\n");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:5: error: array is never closed: missing ')'"});
  EXPECT_EQ(render(r.root), "a=(x y) b=2");
}

TEST(ParserErrorTest, ArrayNotClosedAtEndOfFileOrScope) {
  EXPECT_EQ(errors_of(parse("a = ( x ( y )")), Errors{"t.conf:1:5: error: array is never closed: missing ')'"});
  auto r = parse("Domain d { a = ( x }\nb = 1");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:16: error: array is never closed: missing ')'"});
  EXPECT_EQ(render(r.root), "Domain \"d\"{a=(x)} b=1");
}

TEST(ParserErrorTest, UnexpectedTokensInArray) {
  EXPECT_EQ(errors_of(parse("a = ( x ] ; = )")),
            (Errors{"t.conf:1:9: error: unexpected ']' in array", "t.conf:1:11: error: unexpected ';' in array",
                    "t.conf:1:13: error: unexpected '=' in array"}));
}

TEST(ParserErrorTest, DictionaryNotClosed) {
  EXPECT_EQ(errors_of(parse("a = [ k = v\n")), Errors{"t.conf:1:5: error: dictionary is never closed: missing ']'"});
  auto r = parse("a = ( [ k = v ) b = 1");
  EXPECT_EQ(errors_of(r), Errors{"t.conf:1:7: error: dictionary is never closed: missing ']'"});
  EXPECT_EQ(render(r.root), "a=([k=v]) b=1");
}

TEST(ParserErrorTest, DictionaryEntryErrors) {
  auto r = parse("a = [ k v = 1, w = ]\n");
  EXPECT_EQ(errors_of(r),
            (Errors{"t.conf:1:7: error: expected '=' after dictionary key 'k'",
                    "t.conf:1:14: error: unexpected ',' in dictionary: entries are separated by spaces, not commas",
                    "t.conf:1:16: error: missing value after '=' for dictionary key 'w'"}));
  EXPECT_EQ(render(r.root), "a=[v=1]");
}

TEST(ParserErrorTest, UnexpectedTokenInDictionary) {
  EXPECT_EQ(errors_of(parse("a = [ ( x ) = k = v ]")),
            (Errors{"t.conf:1:7: error: unexpected '(' in dictionary: expected 'key = value' or ']'",
                    "t.conf:1:13: error: unexpected '=' in dictionary: expected 'key = value' or ']'"}));
}

TEST(ParserErrorTest, IncludeWithoutLoader) {
  EXPECT_EQ(errors_of(parse("Domain d {\n  include \"x.conf\"\n}")),
            Errors{"t.conf:2:3: error: cannot include 'x.conf': includes are not available here"});
}

TEST(ParserErrorTest, IncludeWithoutPathOrWithEquals) {
  EXPECT_EQ(errors_of(parse("include\nreadonly_include = \"a\"\n")),
            (Errors{"t.conf:1:1: error: missing path after 'include'",
                    "t.conf:2:1: error: 'readonly_include' takes a path without '=': write readonly_include \"path\""}));
}

TEST(ParserErrorTest, AllErrorsAreReportedAndGoodStatementsKept) {
  auto r = parse("a = 1;\n"
                 "Domain x {\n"
                 "  b = ( 1, 2 )\n"
                 "  c\n"
                 "  d = \"ok\"\n"
                 "}\n"
                 "}\n"
                 "e = \"open\n"
                 "f = 6\n");
  EXPECT_EQ(errors_of(r),
            (Errors{"t.conf:1:6: error: unexpected ';': statements have no terminator; remove it",
                    "t.conf:3:10: error: unexpected ',' in array: array elements are separated by spaces, not commas",
                    "t.conf:4:3: error: expected '=' or '{' after 'c'",
                    "t.conf:7:1: error: unexpected '}': no scope is open here",
                    "t.conf:8:5: error: unterminated string: missing closing '\"' on this line"}));
  EXPECT_EQ(render(r.root), "a=1 Domain \"x\"{b=(1 2) d=\"ok\"} e=\"open\" f=6");
}

TEST(ParserErrorTest, ErrorLinesCountLoneCrAndCrLf) {
  EXPECT_EQ(errors_of(parse("a = 1\rb\r\nc = 2\r;")),
            (Errors{"t.conf:2:1: error: expected '=' or '{' after 'b'",
                    "t.conf:4:1: error: unexpected ';': statements have no terminator; remove it"}));
}

TEST(ParserErrorTest, ArrayNestingTooDeep) {
  std::string text = "x = " + std::string(65, '(') + std::string(65, ')') + "\ny = 1";
  auto r = parse(text);
  EXPECT_EQ(errors_of(r),
            Errors{"t.conf:1:69: error: nesting too deep: more than 64 levels of '{', '(' and '['"});
  ASSERT_EQ(r.root.items.size(), 2u);
  EXPECT_EQ(r.root.items[0].assignment->name, "x");
  EXPECT_EQ(r.root.items[1].assignment->name, "y");
  // 64 levels are kept; the 65th is left out of the tree.
  const Value* v = &r.root.items[0].assignment->value;
  for (int level = 1; level < 64; ++level) {
    ASSERT_EQ(v->items.size(), 1u) << level;
    v = &v->items[0];
  }
  EXPECT_EQ(v->kind, Value::Kind::Array);
  EXPECT_TRUE(v->items.empty());
}

TEST(ParserErrorTest, SixtyFourLevelsAreFine) {
  std::string text = "x = " + std::string(64, '(') + std::string(64, ')');
  EXPECT_TRUE(parse(text).errors.empty());
}

TEST(ParserErrorTest, ScopeNestingTooDeep) {
  std::string text;
  for (int i = 0; i < 65; ++i) text += "a {\n";
  for (int i = 0; i < 65; ++i) text += "}\n";
  text += "b = 1\n";
  auto r = parse(text);
  EXPECT_EQ(errors_of(r),
            Errors{"t.conf:65:3: error: nesting too deep: more than 64 levels of '{', '(' and '['"});
  EXPECT_EQ(r.root.items.back().assignment->name, "b");
}

TEST(ParserErrorTest, DictionaryNestingCountsToo) {
  std::string text = "x = ";
  for (int i = 0; i < 65; ++i) text += "[k=";
  text += "v" + std::string(65, ']');
  EXPECT_EQ(errors_of(parse(text)),
            Errors{"t.conf:1:197: error: nesting too deep: more than 64 levels of '{', '(' and '['"});
}

TEST(ParserErrorTest, MegabyteOfOpenParenthesesEndsQuickly) {
  std::string text = "x = " + std::string(1 << 20, '(');
  auto r = parse(text);
  // The 65th level is too deep; the 64 levels above it are never closed.
  ASSERT_EQ(r.errors.size(), 65u);
  EXPECT_EQ(r.errors[0].str(), "t.conf:1:69: error: nesting too deep: more than 64 levels of '{', '(' and '['");
  EXPECT_EQ(r.errors[1].str(), "t.conf:1:68: error: array is never closed: missing ')'");
  EXPECT_EQ(r.errors[64].str(), "t.conf:1:5: error: array is never closed: missing ')'");

  auto s = parse(std::string(1 << 20, '('));
  EXPECT_EQ(errors_of(s), Errors{"t.conf:1:1: error: unexpected '(' where a statement was expected"});
}

TEST(ParserErrorTest, LongRunOfOpenBracesEndsQuickly) {
  std::string text;
  for (int i = 0; i < (1 << 17); ++i) text += "a{";
  auto r = parse(text);
  ASSERT_EQ(r.errors.size(), 65u);
  EXPECT_EQ(r.errors[0].str(), "t.conf:1:130: error: nesting too deep: more than 64 levels of '{', '(' and '['");
  EXPECT_EQ(r.errors[64].str(), "t.conf:1:1: error: 'a' scope is never closed: missing '}'");
}

TEST(ParserErrorTest, TooManyErrorsStopsParsing) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += ";\n";
  auto r = parse(text);
  ASSERT_EQ(r.errors.size(), 200u);
  EXPECT_EQ(r.errors[198].str(), "t.conf:199:1: error: unexpected ';': statements have no terminator; remove it");
  EXPECT_EQ(r.errors[199].str(), "t.conf:200:1: error: too many errors; stopping here");
}

TEST(ParserErrorTest, ControlBytesInMessagesAreEscaped) {
  EXPECT_EQ(errors_of(parse(std::string("a\0b\n", 4))), Errors{"t.conf:1:1: error: expected '=' or '{' after 'a\\x00b'"});
}

}  // namespace
}  // namespace impulse::config
