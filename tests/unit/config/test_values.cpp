// Typed value conversion (config/value_check.hpp): every registry type, the
// "expected ..." texts users see, and the location of list-item errors.
#include <gtest/gtest.h>

#include "config/value_check.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

Value scalar(std::string text, bool quoted = false, std::uint32_t col = 10) {
  Value v;
  v.kind = Value::Kind::Scalar;
  v.text = std::move(text);
  v.quoted = quoted;
  v.loc = SourceLoc{"t.conf", 1, col};
  return v;
}

Value array(std::vector<Value> items) {
  Value v;
  v.kind = Value::Kind::Array;
  v.items = std::move(items);
  v.loc = SourceLoc{"t.conf", 1, 5};
  return v;
}

OptionData ok(std::string_view option, std::string_view text) {
  auto r = convert_text(def(option), text);
  EXPECT_TRUE(r) << option << " = " << text << ": " << (r ? "" : r.error());
  return r ? *r : OptionData{};
}

std::string err(std::string_view option, std::string_view text) {
  auto r = convert_text(def(option), text);
  EXPECT_FALSE(r) << option << " = " << text;
  return r ? std::string() : r.error();
}

TEST(Values, BooleansInEverySpelling) {
  for (auto t : {"true", "TRUE", "on", "enabled", "yes", "1", "Yes"})
    EXPECT_EQ(std::get<bool>(ok("generate_bounces", t)), true) << t;
  for (auto f : {"false", "off", "disabled", "no", "0", "Off"})
    EXPECT_EQ(std::get<bool>(ok("generate_bounces", f)), false) << f;
  EXPECT_EQ(err("generate_bounces", "maybe"), "expected a boolean (true/false, on/off, yes/no, 1/0)");
  EXPECT_EQ(err("generate_bounces", "2"), "expected a boolean (true/false, on/off, yes/no, 1/0)");
}

TEST(Values, QuotedScalarsConvertLikeBareOnes) {
  auto b = check_value(def("use_ipv6"), scalar("on", true));
  ASSERT_TRUE(b);
  EXPECT_TRUE(std::get<bool>(*b));
  auto i = check_value(def("lmtp_port"), scalar("2003", true));
  ASSERT_TRUE(i);
  EXPECT_EQ(std::get<std::int64_t>(*i), 2003);
}

TEST(Values, IntegersWithinTheirRange) {
  EXPECT_EQ(std::get<std::int64_t>(ok("lmtp_port", "2003")), 2003);
  EXPECT_EQ(std::get<std::int64_t>(ok("lmtp_port", "0")), 0);
  EXPECT_EQ(std::get<std::int64_t>(ok("lmtp_port", "65535")), 65535);
  EXPECT_EQ(err("lmtp_port", "65536"), "expected an integer between 0 and 65535");
  EXPECT_EQ(err("lmtp_port", "-1"), "expected an integer between 0 and 65535");
  EXPECT_EQ(err("lmtp_port", "25x"), "expected an integer between 0 and 65535");
  EXPECT_EQ(err("lmtp_port", "99999999999999999999999"), "expected an integer between 0 and 65535");
  EXPECT_EQ(std::get<std::int64_t>(ok("max_outbound_connections", "-1")), -1);
  EXPECT_EQ(err("max_outbound_connections", "-2"), "expected an integer between -1 and 2147483647");
  EXPECT_EQ(err("max_recipients_per_batch", "0"), "expected an integer between 1 and 2147483647");
}

TEST(Values, DurationsAreWholeSeconds) {
  EXPECT_EQ(std::get<std::int64_t>(ok("retry_interval", "1200")), 1200);
  EXPECT_EQ(err("retry_interval", "soon"), "expected a whole number of seconds");
  EXPECT_EQ(err("retry_interval", "-5"), "expected a whole number of seconds");
  EXPECT_EQ(err("retry_interval", "1.5"), "expected a whole number of seconds");
  EXPECT_EQ(std::get<std::int64_t>(ok("max_dns_ttl", "4294967295")), 4294967295LL);
}

TEST(Values, MillisecondsForHttpStyleTimeouts) {
  EXPECT_EQ(std::get<std::int64_t>(ok("delivery_response_timeout", "1000")), 1000);
  EXPECT_EQ(err("delivery_response_timeout", "1s"), "expected a whole number of milliseconds");
}

TEST(Values, SizesWithOptionalSuffixes) {
  EXPECT_EQ(std::get<std::int64_t>(ok("max_message_size", "26214400")), 26214400);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_message_size", "10K")), 10240);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_message_size", "25m")), 25 * 1024 * 1024);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_message_size", "1G")), 1024LL * 1024 * 1024);
  EXPECT_EQ(err("max_message_size", "big"), "expected a size in bytes, e.g. 1048576 or 1M (suffixes K, M, G)");
  EXPECT_EQ(err("max_message_size", "-1"), "expected a size in bytes, e.g. 1048576 or 1M (suffixes K, M, G)");
  EXPECT_EQ(err("max_message_size", "K"), "expected a size in bytes, e.g. 1048576 or 1M (suffixes K, M, G)");
}

TEST(Values, ModesAreOctal) {
  EXPECT_EQ(std::get<std::int64_t>(ok("spool_mode", "0640")), 0640);
  EXPECT_EQ(std::get<std::int64_t>(ok("file_mode", "0666")), 0666);
  EXPECT_EQ(std::get<std::int64_t>(ok("file_mode", "660")), 0660);
  EXPECT_EQ(err("file_mode", "0689"), "expected an octal file mode such as 0640");
  EXPECT_EQ(err("file_mode", "rw-r--r--"), "expected an octal file mode such as 0640");
  EXPECT_EQ(err("file_mode", "17777"), "expected an octal file mode such as 0640");
}

TEST(Values, EnumsAreCaseInsensitiveAndStoredLowerCase) {
  EXPECT_EQ(std::get<std::string>(ok("delivery_method", "LMTP")), "lmtp");
  EXPECT_EQ(std::get<std::string>(ok("delivery_method", "Esmtp")), "esmtp");
  EXPECT_EQ(err("delivery_method", "carrier-pigeon"), "expected one of: esmtp, smtp, lmtp, ecstream, apn, gcm, mm7");
  EXPECT_EQ(std::get<std::string>(ok("bounces_inline_original", "ALL")), "all");
  EXPECT_EQ(err("tls", "yes"), "expected one of: no, ifavailable, required");
}

TEST(Values, StringsAndPathsKeepTheirText) {
  EXPECT_EQ(std::get<std::string>(ok("ehlo_hostname", "mta1.example.com")), "mta1.example.com");
  EXPECT_EQ(std::get<std::string>(ok("spoolbase", "/var/spool/impulse")), "/var/spool/impulse");
  auto v = check_value(def("reconfig_message"), scalar("4.3.2 Going away", true));
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<std::string>(*v), "4.3.2 Going away");
}

TEST(Values, BindAddressIsStarAnIpOrAHostName) {
  EXPECT_EQ(std::get<std::string>(ok("bind_address", "*")), "*");
  EXPECT_EQ(std::get<std::string>(ok("bind_address", "10.10.10.10")), "10.10.10.10");
  EXPECT_EQ(std::get<std::string>(ok("bind_address", "2001:db8::10")), "2001:db8::10");
  EXPECT_EQ(std::get<std::string>(ok("bind_address", "[2001:db8::10]")), "[2001:db8::10]");
  EXPECT_EQ(std::get<std::string>(ok("bind_address", "vip1.example.com")), "vip1.example.com");
  EXPECT_EQ(err("bind_address", "10.0.0.1:25"), "expected '*', an IP address or a host name");
}

TEST(Values, GatewayIsAnEndpointWithBracketedIpv6) {
  EXPECT_EQ(std::get<std::string>(ok("gateway", "10.10.10.50")), "10.10.10.50");
  EXPECT_EQ(std::get<std::string>(ok("gateway", "[fe80::a00]:1")), "[fe80::a00]:1");
  EXPECT_EQ(err("gateway", "fe80::a00"), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
  EXPECT_EQ(err("gateway", "smart host"), "invalid host name 'smart host'");
}

TEST(Values, ThrottlesAreNOrNPerS) {
  EXPECT_EQ(std::get<RateSpec>(ok("outbound_throttle_messages", "10")), (RateSpec{10, 1}));
  EXPECT_EQ(std::get<RateSpec>(ok("outbound_throttle_messages", "60/3")), (RateSpec{60, 3}));
  EXPECT_EQ(std::get<RateSpec>(ok("outbound_throttle_connections", "0")), (RateSpec{0, 1}));
  for (auto bad : {"ten", "10/0", "10/", "/3", "-1", "10/-3", "1/2/3"})
    EXPECT_EQ(err("outbound_throttle_messages", bad), "expected a rate \"N\" or \"N/S\" (N per S seconds)") << bad;
}

TEST(Values, MaxRetriesIsAutoNoneOrACount) {
  EXPECT_EQ(std::get<std::int64_t>(ok("max_retries", "auto")), kRetriesAuto);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_retries", "NONE")), kRetriesNone);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_retries", "5")), 5);
  EXPECT_EQ(std::get<std::int64_t>(ok("max_retries", "0")), 0);
  EXPECT_EQ(err("max_retries", "-1"), "expected auto, none or a whole number of retries");
  EXPECT_EQ(err("max_retries", "forever"), "expected auto, none or a whole number of retries");
}

TEST(Values, CidrListsNormaliseEachBlock) {
  auto v = check_value(def("relay_hosts"), array({scalar("127.0.0.0/8"), scalar("::1"), scalar("10.1.2.3/24")}));
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<std::vector<std::string>>(*v),
            (std::vector<std::string>{"127.0.0.0/8", "::1/128", "10.1.2.0/24"}));
}

TEST(Values, EveryBadListItemIsReportedAtTheItem) {
  auto v = check_value(def("prohibited_hosts"),
                       array({scalar("127.0.0.0/8", false, 21), scalar("localhost", false, 33),
                              scalar("10.0.0.0/40", false, 43)}));
  ASSERT_FALSE(v);
  ASSERT_EQ(v.error().size(), 2u);
  EXPECT_EQ(v.error()[0].loc.col, 33u);
  EXPECT_EQ(v.error()[0].message, "expected an IPv4 or IPv6 address with optional /prefix");
  EXPECT_EQ(v.error()[1].loc.col, 43u);
  EXPECT_EQ(v.error()[1].message, "expected a prefix length between 0 and 32");
}

TEST(Values, RouteListsKeepItemsAsWritten) {
  auto v = check_value(def("routes"), array({scalar("smtp://my.local.smart.host?pref=1"), scalar("__mx__")}));
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<std::vector<std::string>>(*v),
            (std::vector<std::string>{"smtp://my.local.smart.host?pref=1", "__mx__"}));
  auto bad = check_value(def("routes"), array({scalar("smtp://[::1]?pref=abc", true, 14)}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0].loc.col, 14u);
  EXPECT_EQ(bad.error()[0].message, "bad route parameter 'pref=abc': expected an integer between 0 and 65535");
}

TEST(Values, ASingleScalarIsAOneItemList) {
  auto v = check_value(def("routes"), scalar("mx.example.com"));
  ASSERT_TRUE(v);
  EXPECT_EQ(std::get<std::vector<std::string>>(*v), (std::vector<std::string>{"mx.example.com"}));
}

TEST(Values, NameserversAreIpLiteralsWithOptionalPorts) {
  EXPECT_EQ(std::get<std::vector<std::string>>(ok("nameservers", "127.0.0.1:5353 [::1]:53 10.0.0.53")),
            (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53", "10.0.0.53"}));
  EXPECT_EQ(err("nameservers", "ns1.example.com"),
            "expected an IP address with optional port, e.g. \"127.0.0.1:5353\" or \"[::1]:53\"");
  EXPECT_EQ(err("nameservers", "::1"), "IPv6 address must be in brackets, e.g. \"[::1]:25\"");
}

TEST(Values, ListsGivenToScalarOptionsAreRejected) {
  auto v = check_value(def("lmtp_port"), array({scalar("2003")}));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error()[0].message, "expected an integer between 0 and 65535, not a list");
  EXPECT_EQ(v.error()[0].loc.col, 5u);
}

TEST(Values, NestedListsInListsAreRejected) {
  auto v = check_value(def("relay_hosts"), array({array({scalar("10.0.0.0/8")})}));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error()[0].message, "expected an IPv4 or IPv6 address with optional /prefix, not a nested list");
}

TEST(Values, Dictionaries) {
  Value d;
  d.kind = Value::Kind::Dict;
  d.entries.push_back(Value::Entry{"uri", SourceLoc{}, scalar("digest:///etc/passwd")});
  d.entries.push_back(Value::Entry{"realm", SourceLoc{}, scalar("x")});
  auto v = check_value(def("context"), d);
  ASSERT_TRUE(v);
  auto dict = std::get<std::shared_ptr<const DictValue>>(*v);
  ASSERT_EQ(dict->entries.size(), 2u);
  EXPECT_EQ(dict->entries[0], (std::pair<std::string, std::string>{"uri", "digest:///etc/passwd"}));
  auto not_dict = check_value(def("context"), scalar("x"));
  ASSERT_FALSE(not_dict);
  EXPECT_EQ(not_dict.error()[0].message, "expected a dictionary [ key = value ... ]");
}

TEST(Values, FormatGivesConfigurationText) {
  EXPECT_EQ(format_value(def("use_ipv6"), OptionData{true}), "true");
  EXPECT_EQ(format_value(def("spool_mode"), OptionData{std::int64_t{0640}}), "0640");
  EXPECT_EQ(format_value(def("max_retries"), OptionData{kRetriesAuto}), "auto");
  EXPECT_EQ(format_value(def("max_retries"), OptionData{kRetriesNone}), "none");
  EXPECT_EQ(format_value(def("max_retries"), OptionData{std::int64_t{3}}), "3");
  EXPECT_EQ(format_value(def("outbound_throttle_messages"), OptionData{RateSpec{60, 3}}), "\"60/3\"");
  EXPECT_EQ(format_value(def("outbound_throttle_messages"), OptionData{RateSpec{10, 1}}), "10");
  EXPECT_EQ(format_value(def("routes"), OptionData{std::vector<std::string>{"__mx__", "smtp://a?pref=1"}}),
            "( __mx__ \"smtp://a?pref=1\" )");
  EXPECT_EQ(format_value(def("ehlo_hostname"), OptionData{std::string("a b")}), "\"a b\"");
  EXPECT_EQ(format_value(def("gateway"), OptionData{std::string()}), "\"\"");
}

}  // namespace
}  // namespace impulse::config
