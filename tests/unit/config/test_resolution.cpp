// Scope resolution (config.hpp; SPEC §2; reference/momentum.md §1.4): the
// outbound fallback chain, the host chain without fallback, domain matching
// (exact before /regex/), throttle ownership, config eval paths, listeners,
// modules, merging of repeated stanzas.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "config/config_impl.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

std::int64_t int_of(const Config& c, std::string binding, std::string domain, std::string_view option) {
  return c.resolve(OutboundKey{std::move(binding), std::move(domain)}, option).value->as_int();
}

// reference/momentum.md §1.4: global message_expiration, a global domain
// stanza, binding example2 with its own value and a nested domain stanza,
// binding example3 without a value.
constexpr std::string_view kExpiration = R"(
message_expiration = 86400
domain "example.com" {
  message_expiration = 120
}
binding "example2" {
  message_expiration = 7200
  domain "example.com" {
    message_expiration = 86400
  }
}
binding "example3" {
}
)";

TEST(Resolution, BindingDomainBeatsGlobalDomain) {
  auto c = load_ok(kExpiration);
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "example2", "example.com", "message_expiration"), 86400);
  EXPECT_EQ(c->resolve({"example2", "example.com"}, "message_expiration").owner, "binding:example2/domain:example.com");
}

TEST(Resolution, BindingValueForOtherDomains) {
  auto c = load_ok(kExpiration);
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "example2", "other.com", "message_expiration"), 7200);
  EXPECT_EQ(c->resolve({"example2", "other.com"}, "message_expiration").owner, "binding:example2");
}

TEST(Resolution, BindingWithoutValueFallsToGlobalDomain) {
  auto c = load_ok(kExpiration);
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "example3", "example.com", "message_expiration"), 120);
  EXPECT_EQ(c->resolve({"example3", "example.com"}, "message_expiration").owner, "domain:example.com");
  EXPECT_EQ(int_of(*c, "example3", "other.com", "message_expiration"), 86400);
  EXPECT_EQ(c->resolve({"example3", "other.com"}, "message_expiration").owner, "global");
  EXPECT_EQ(int_of(*c, "default", "example.com", "message_expiration"), 120);
}

TEST(Resolution, BuiltInDefaultLast) {
  auto c = load_ok(kExpiration);
  ASSERT_TRUE(c);
  auto r = c->resolve({"example2", "example.com"}, "retry_interval");
  EXPECT_TRUE(r.is_default());
  EXPECT_EQ(r.value->as_int(), 1200);
}

TEST(Resolution, BindingGroupExample) {
  auto c = load_ok(R"(
binding_group "g1" {
  max_outbound_connections = 5
  binding "example" {
    max_outbound_connections = 15
    domain "example.com" { }
  }
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "example", "example.com", "max_outbound_connections"), 15);
  EXPECT_EQ(c->resolve({"example", "example.com"}, "max_outbound_connections").owner,
            "binding_group:g1/binding:example");

  auto without = load_ok(R"(
binding_group "g1" {
  max_outbound_connections = 5
  binding "example" {
    domain "example.com" { }
  }
}
)");
  ASSERT_TRUE(without);
  EXPECT_EQ(int_of(*without, "example", "example.com", "max_outbound_connections"), 5);
  EXPECT_EQ(without->resolve({"example", "example.com"}, "max_outbound_connections").owner, "binding_group:g1");
}

TEST(Resolution, FullOutboundOrder) {
  // Each level sets retry_interval to its rank; removing levels one by one
  // must walk the chain in SPEC §2 order.
  std::vector<std::pair<std::string, std::string>> levels = {
      {"binding_group:g1/binding:b1/domain:x.com", "1"}, {"binding_group:g1/domain:x.com", "3"},
      {"binding_group:g1/binding:b1", "4"},              {"binding_group:g1", "5"},
      {"domain:x.com", "6"},                             {"global", "7"},
  };
  for (std::size_t skip = 0; skip <= levels.size(); ++skip) {
    auto set = [&](std::size_t level, const char* v) { return level >= skip ? std::string("retry_interval = ") + v : ""; };
    std::string text = "binding_group g1 {\n" + set(3, "5") + "\n binding b1 {\n" + set(2, "4") +
                       "\n  domain x.com {\n" + set(0, "1") + "\n  }\n }\n domain x.com {\n" + set(1, "3") +
                       "\n }\n}\ndomain x.com {\n" + set(4, "6") + "\n}\n" + set(5, "7") + "\n";
    auto c = load_ok(text);
    ASSERT_TRUE(c);
    auto r = c->resolve({"b1", "x.com"}, "retry_interval");
    if (skip == levels.size()) {
      EXPECT_TRUE(r.is_default());
      EXPECT_EQ(r.value->as_int(), 1200);
    } else {
      EXPECT_EQ(r.owner, levels[skip].first) << "skip " << skip;
      EXPECT_EQ(std::to_string(r.value->as_int()), levels[skip].second);
    }
  }
}

TEST(Resolution, BindingGroupRanksAboveGlobalDomain) {
  auto c = load_ok(R"(
domain "x.com" { idle_timeout = 9 }
binding_group g1 {
  idle_timeout = 7
  binding b1 { }
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "b1", "x.com", "idle_timeout"), 7);
  EXPECT_EQ(int_of(*c, "default", "x.com", "idle_timeout"), 9);
}

TEST(Resolution, UnknownBindingUsesTheGlobalChain) {
  auto c = load_ok("domain x.com { lmtp_port = 24 }\nlmtp_port = 2424\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "nosuch", "x.com", "lmtp_port"), 24);
  EXPECT_EQ(int_of(*c, "nosuch", "y.com", "lmtp_port"), 2424);
}

TEST(Resolution, DomainNamesAreCaseInsensitive) {
  auto c = load_ok("domain Example.COM { lmtp_port = 24 }\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "default", "example.com", "lmtp_port"), 24);
  EXPECT_EQ(int_of(*c, "default", "EXAMPLE.com.", "lmtp_port"), 24);
}

TEST(Resolution, ExactDomainBeatsRegexAndRegexesGoInFileOrder) {
  auto c = load_ok(R"(
domain "/example/" { lmtp_port = 1 }
domain "/^mail[.]example[.]com$/" { lmtp_port = 2 }
domain "mail.example.com" { lmtp_port = 3 }
domain "/[.]org$/" { lmtp_port = 4 }
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "default", "mail.example.com", "lmtp_port"), 3);
  EXPECT_EQ(int_of(*c, "default", "www.example.com", "lmtp_port"), 1);  // unanchored = search
  EXPECT_EQ(int_of(*c, "default", "foo.org", "lmtp_port"), 4);
  EXPECT_EQ(int_of(*c, "default", "Foo.ORG", "lmtp_port"), 4);
  EXPECT_EQ(int_of(*c, "default", "foo.net", "lmtp_port"), 2003);
  EXPECT_EQ(c->resolve({"default", "www.example.com"}, "lmtp_port").owner, "domain:/example/");
}

TEST(Resolution, MatchedStanzaWithoutTheOptionFallsToTheNextContainer) {
  // The exact stanza is the match for mail.example.com even though it does
  // not set lmtp_port: the regex stanza is not consulted.
  auto c = load_ok("domain \"/example/\" { lmtp_port = 1 }\ndomain mail.example.com { idle_timeout = 3 }\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "default", "mail.example.com", "lmtp_port"), 2003);
}

TEST(Resolution, HostChainDoesNotFallBack) {
  auto c = load_ok(R"(
max_outbound_connections = 20
host "mx1.example.com" { }
host "mx2.example.com" { max_outbound_connections = 4 }
binding b1 {
  max_outbound_connections = 10
  host "mx2.example.com" { max_outbound_connections = 2 }
}
)");
  ASSERT_TRUE(c);
  auto unset = c->resolve_host("default", "mx1.example.com", "max_outbound_connections");
  ASSERT_NE(unset.value, nullptr);
  EXPECT_EQ(unset.value->as_int(), -1);
  EXPECT_TRUE(unset.is_default());
  EXPECT_EQ(c->resolve_host("default", "nohost.example.com", "max_outbound_connections").value->as_int(), -1);
  EXPECT_EQ(c->resolve_host("default", "MX2.example.com", "max_outbound_connections").value->as_int(), 4);
  auto b = c->resolve_host("b1", "mx2.example.com", "max_outbound_connections");
  EXPECT_EQ(b.value->as_int(), 2);
  EXPECT_EQ(b.owner, "binding:b1/host:mx2.example.com");
  EXPECT_EQ(c->resolve_host("b1", "mx1.example.com", "max_outbound_connections").value->as_int(), -1);
  // Host throttles unset: nothing.
  EXPECT_EQ(c->resolve_host("b1", "mx1.example.com", "outbound_throttle_messages").value, nullptr);
}

TEST(Resolution, HostChainInsideABindingGroup) {
  auto c = load_ok(R"(
host "mx" { outbound_throttle_connections = "1" }
binding_group g1 {
  host "mx" { outbound_throttle_connections = "2" }
  binding b1 { host "mx" { outbound_throttle_connections = "3" } }
  binding b2 { }
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->resolve_host("b1", "mx", "outbound_throttle_connections").value->as_rate().count, 3);
  EXPECT_EQ(c->resolve_host("b2", "mx", "outbound_throttle_connections").value->as_rate().count, 2);
  EXPECT_EQ(c->resolve_host("b2", "mx", "outbound_throttle_connections").owner, "binding_group:g1/host:mx");
  EXPECT_EQ(c->resolve_host("default", "mx", "outbound_throttle_connections").value->as_rate().count, 1);
}

TEST(Resolution, ThrottleSharedByEveryScopeThatFallsBackToIt) {
  auto c = load_ok(R"(
binding_group g1 {
  outbound_throttle_messages = "10"
  binding b1 { }
  binding b2 { }
}
)");
  ASSERT_TRUE(c);
  auto a = c->resolve({"b1", "a.com"}, "outbound_throttle_messages");
  auto b = c->resolve({"b2", "b.com"}, "outbound_throttle_messages");
  EXPECT_EQ(a.owner, "binding_group:g1");
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.value->as_rate(), (RateSpec{10, 1}));
}

TEST(Resolution, RedeclaredThrottleHasItsOwnOwner) {
  auto c = load_ok(R"(
binding_group g1 {
  outbound_throttle_messages = "10"
  binding b1 { outbound_throttle_messages = "10" }
  binding b2 { outbound_throttle_messages = "10" }
}
)");
  ASSERT_TRUE(c);
  auto a = c->resolve({"b1", "a.com"}, "outbound_throttle_messages");
  auto b = c->resolve({"b2", "a.com"}, "outbound_throttle_messages");
  EXPECT_EQ(a.owner, "binding_group:g1/binding:b1");
  EXPECT_EQ(b.owner, "binding_group:g1/binding:b2");
  EXPECT_NE(a.owner, b.owner);
}

TEST(Resolution, RegexDomainIsOneOwnerForEveryName) {
  auto c = load_ok(R"(
domain "/^(wanadoo|orange)[.]fr$/" { outbound_throttle_messages = "60/3" }
)");
  ASSERT_TRUE(c);
  auto a = c->resolve({"default", "wanadoo.fr"}, "outbound_throttle_messages");
  auto b = c->resolve({"default", "orange.fr"}, "outbound_throttle_messages");
  EXPECT_EQ(a.owner, "domain:/^(wanadoo|orange)[.]fr$/");
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.value->as_rate(), (RateSpec{60, 3}));
  EXPECT_TRUE(c->resolve({"default", "free.fr"}, "outbound_throttle_messages").is_default());
}

TEST(Resolution, RepeatedStanzasMergeAndLaterAssignmentsWin) {
  auto c = load_ok(R"(
binding_group "g1" { binding "b1" { idle_timeout = 1 } }
domain "Example.com" { lmtp_port = 24 idle_timeout = 8 }
binding_group "g1" { binding "b2" { } retry_interval = 60 }
domain "example.com" { lmtp_port = 25 }
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->binding_group_members("g1"), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(int_of(*c, "b2", "x.com", "retry_interval"), 60);
  EXPECT_EQ(int_of(*c, "default", "example.com", "lmtp_port"), 25);
  EXPECT_EQ(int_of(*c, "default", "example.com", "idle_timeout"), 8);
  auto r = c->resolve({"default", "example.com"}, "lmtp_port");
  EXPECT_EQ(r.value->loc.line, 5u);
}

TEST(Resolution, BindingNamesAreCaseSensitive) {
  auto c = load_ok("binding B1 { lmtp_port = 1 }\nbinding b1 { lmtp_port = 2 }\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(int_of(*c, "B1", "", "lmtp_port"), 1);
  EXPECT_EQ(int_of(*c, "b1", "", "lmtp_port"), 2);
}

TEST(Resolution, BindingsListIncludesTheImplicitDefault) {
  auto c = load_ok("binding_group g1 { binding b1 { } }\nbinding b2 { }\n");
  ASSERT_TRUE(c);
  const auto& bs = c->bindings();
  ASSERT_EQ(bs.size(), 3u);
  EXPECT_EQ(bs[0].name, "default");
  EXPECT_EQ(bs[1].name, "b1");
  EXPECT_EQ(bs[1].group, "g1");
  EXPECT_EQ(bs[2].name, "b2");
  EXPECT_FALSE(bs[2].group);
  EXPECT_TRUE(c->binding_group_members("nosuch").empty());
}

TEST(Resolution, GlobalOnlyOptions) {
  auto c = load_ok("Nameservers = ( \"127.0.0.1:5353\" \"[::1]:53\" )\nSpoolbase = \"/var/spool/impulse\"\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->global("nameservers").as_list(), (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"}));
  EXPECT_EQ(c->global("spoolbase").as_string(), "/var/spool/impulse");
  EXPECT_EQ(c->global("resolv_conf").as_string(), "/etc/resolv.conf");
  EXPECT_FALSE(c->global("use_ipv6").as_bool());
}

TEST(Eval, ScopePathsWalkTheSameChain) {
  auto c = load_ok(R"(
max_outbound_connections = 20
domain "x" { max_outbound_connections = 30 }
binding_group g1 {
  max_outbound_connections = 5
  binding b1 { domain "example.com" { max_outbound_connections = 15 } }
}
binding b2 { }
host mx1 { max_outbound_connections = 3 }
)");
  ASSERT_TRUE(c);
  auto v = [&](std::vector<std::string> path) {
    auto r = c->eval(path, "max_outbound_connections");
    EXPECT_TRUE(r) << (r ? "" : r.error());
    return r ? r->value->as_int() : -99;
  };
  EXPECT_EQ(v({}), 20);
  EXPECT_EQ(v({"domain", "x"}), 30);
  EXPECT_EQ(v({"binding", "b1", "domain", "example.com"}), 15);
  EXPECT_EQ(v({"binding_group", "g1", "binding", "b1", "domain", "example.com"}), 15);
  EXPECT_EQ(v({"binding_group", "g1", "binding", "b1"}), 5);
  EXPECT_EQ(v({"binding", "b1"}), 5);
  EXPECT_EQ(v({"binding_group", "g1"}), 5);
  EXPECT_EQ(v({"binding", "b2", "domain", "x"}), 30);
  EXPECT_EQ(v({"binding", "default", "domain", "y"}), 20);
  EXPECT_EQ(v({"host", "mx1"}), 3);
  EXPECT_EQ(v({"host", "mx2"}), -1);
  EXPECT_EQ(v({"Binding", "b1", "Domain", "EXAMPLE.com"}), 15);
}

TEST(Eval, ErrorsForBadPathsAndOptions) {
  auto c = load_ok("binding_group g1 { binding b1 { } }\nbinding b2 { }\n");
  ASSERT_TRUE(c);
  auto e = [&](std::vector<std::string> path, std::string_view option) {
    auto r = c->eval(path, option);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error();
  };
  EXPECT_EQ(e({}, "max_outbound_conections"),
            "unknown option 'max_outbound_conections'; did you mean 'max_outbound_connections'?");
  EXPECT_EQ(e({"bindng", "b1"}, "lmtp_port"), "unknown scope 'bindng'; did you mean 'binding'?");
  EXPECT_EQ(e({"binding"}, "lmtp_port"), "missing name after 'binding'");
  EXPECT_EQ(e({"binding", "b9"}, "lmtp_port"), "no binding 'b9' is configured");
  EXPECT_EQ(e({"binding_group", "g9"}, "lmtp_port"), "no binding_group 'g9' is configured");
  EXPECT_EQ(e({"binding_group", "g1", "binding", "b2"}, "lmtp_port"), "binding 'b2' is not in binding_group 'g1'");
  EXPECT_EQ(e({"host", "mx1"}, "lmtp_port"),
            "option 'lmtp_port' is not valid in host scope (valid in: binding, binding_group, domain, global)");
  EXPECT_EQ(e({}, "mainlog"), "option 'mainlog' is not valid in global scope (valid in: ec_logger)");
}

TEST(Eval, GlobalOnlyOptionsThroughAnyPath) {
  auto c = load_ok("Spoolbase = \"/s\"\nbinding b1 { }\n");
  ASSERT_TRUE(c);
  auto r = c->eval({"binding", "b1"}, "spoolbase");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value->as_string(), "/s");
  EXPECT_EQ(r->owner, "global");
}

TEST(Eval, ListenersAndModules) {
  auto c = load_ok(R"(
ESMTP_Listener {
  max_message_size = 1000
  Listen "127.0.0.1:2525" { max_message_size = 2000 }
}
ec_logger "ec_logger" { mainlog = "/tmp/main.ec" }
)");
  ASSERT_TRUE(c);
  auto a = c->eval({"esmtp_listener"}, "max_message_size");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value->as_int(), 1000);
  auto b = c->eval({"esmtp_listener", "listen", "127.0.0.1:2525"}, "max_message_size");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value->as_int(), 2000);
  auto m = c->eval({"ec_logger", "ec_logger"}, "mainlog");
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m->value->as_string(), "/tmp/main.ec");
  auto p = c->eval({"ec_logger"}, "paniclog");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->value->as_string(), "/var/log/ecelerity/paniclog.ec");
  EXPECT_TRUE(p->is_default());
}

TEST(Listeners, ListenPeerListenerGlobalDefault) {
  auto c = load_ok(R"(
relay_hosts = ( 192.168.0.0/16 )
ESMTP_Listener {
  max_message_size = 1000
  Peer "10.0.0.0/8" { max_message_size = 10 }
  Listen "127.0.0.1:2525" {
    max_message_size = 2000
    Peer "10.1.0.0/16" { max_message_size = 20 }
  }
  Listen "[::1]:2525" { relay_hosts = ( ::1 ) }
}
Control_Listener {
  Listen "/tmp/2025" { File_Mode = 0666 }
}
)");
  ASSERT_TRUE(c);
  auto listens = c->listens("esmtp_listener");
  ASSERT_EQ(listens.size(), 2u);
  EXPECT_EQ(listens[0].address, "127.0.0.1:2525");
  EXPECT_EQ(listens[1].address, "[::1]:2525");
  EXPECT_EQ(listens[0].loc.line, 6u);
  EXPECT_TRUE(c->listens("http_listener").empty());
  ASSERT_EQ(c->listens("Control_Listener").size(), 1u);

  auto size = [&](std::string_view listen, std::string_view peer) {
    return c->resolve_listener("esmtp_listener", listen, "max_message_size", peer).value->as_int();
  };
  EXPECT_EQ(size("127.0.0.1:2525", ""), 2000);
  EXPECT_EQ(size("127.0.0.1:2525", "10.1.2.3"), 20);   // most specific Peer
  EXPECT_EQ(size("127.0.0.1:2525", "10.2.0.1"), 10);   // listener's Peer
  EXPECT_EQ(size("127.0.0.1:2525", "127.0.0.1"), 2000);
  EXPECT_EQ(size("[::1]:2525", ""), 1000);
  EXPECT_EQ(c->resolve_listener("esmtp_listener", "[::1]:2525", "relay_hosts").value->as_list(),
            (std::vector<std::string>{"::1/128"}));
  EXPECT_EQ(c->resolve_listener("esmtp_listener", "127.0.0.1:2525", "relay_hosts").value->as_list(),
            (std::vector<std::string>{"192.168.0.0/16"}));
  EXPECT_EQ(c->resolve_listener("control_listener", "/tmp/2025", "file_mode").value->as_int(), 0666);
  auto timeout = c->resolve_listener("control_listener", "/tmp/2025", "timeout");
  EXPECT_TRUE(timeout.is_default());
  EXPECT_EQ(timeout.value->as_int(), 60);
}

TEST(Modules, OptionsAndDefaults) {
  auto c = load_ok(R"(
ec_logger "ec_logger" {
  mainlog = "var/log/mainlog.ec"
  heartbeat = 30
}
bounce_logger "bounce_logger" { bouncelog = "var/log/bouncelog.ec" }
apn { enabled = false }
)");
  ASSERT_TRUE(c);
  ASSERT_NE(c->module_option("ec_logger", "mainlog"), nullptr);
  EXPECT_EQ(c->module_option("ec_logger", "mainlog")->as_string(), "var/log/mainlog.ec");
  EXPECT_EQ(c->module_option("ec_logger", "heartbeat")->as_int(), 30);
  EXPECT_EQ(c->module_option("ec_logger", "paniclog"), nullptr);
  EXPECT_EQ(module_option_or_default(*c, "ec_logger", "paniclog").as_string(), "/var/log/ecelerity/paniclog.ec");
  EXPECT_EQ(c->module_option("bounce_logger", "bouncelog")->as_string(), "var/log/bouncelog.ec");
  EXPECT_FALSE(c->module_option("apn", "enabled")->as_bool());
  EXPECT_EQ(c->module_option("gcm", "enabled"), nullptr);
}

TEST(Files, MainFileThenIncludes) {
  auto c = load_ok("lmtp_port = 24\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->files(), (std::vector<std::string>{"t.conf"}));
}

TEST(Files, IncludedFilesAreListedAndContributeToTheirScope) {
  auto dir = std::filesystem::temp_directory_path() / ("impulse_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "main.conf") << "lmtp_port = 24\ndomain x.com {\n  include \"x.conf\"\n}\n";
    std::ofstream(dir / "x.conf") << "lmtp_port = 25\n";
  }
  auto r = load_config((dir / "main.conf").string());
  ASSERT_TRUE(r);
  const auto& files = (*r)->files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], (dir / "main.conf").string());
  EXPECT_EQ(std::filesystem::path(files[1]).filename(), "x.conf");
  EXPECT_EQ((*r)->resolve({"default", "x.com"}, "lmtp_port").value->as_int(), 25);
  EXPECT_EQ((*r)->resolve({"default", "x.com"}, "lmtp_port").value->loc.file, files[1]);
  EXPECT_EQ((*r)->resolve({"default", "y.com"}, "lmtp_port").value->as_int(), 24);
  std::filesystem::remove_all(dir);
}

TEST(Reload, RestartRequiredChanges) {
  auto a = load_ok("Spoolbase = \"/a\"\nretry_interval = 10\n");
  auto b = load_ok("Spoolbase = \"/b\"\nretry_interval = 20\n");
  auto same = load_ok("Spoolbase = \"/a\"\nretry_interval = 30\n");
  ASSERT_TRUE(a && b && same);
  EXPECT_EQ(restart_required_changes(*a, *b), (std::vector<std::string>{"spoolbase"}));
  EXPECT_TRUE(restart_required_changes(*a, *same).empty());
}

}  // namespace
}  // namespace impulse::config
