// LMTP routing (issue 6; SPEC §3-4; seeds 001, 002; reference/protocols.md
// §2): LMTP_Port resolved through every scope and overridden by a route's
// port= and a Gateway's host:port; lmtp:// routes; and Unix socket targets
// ("unix:/path" in Gateway or Routes) from the configuration through route
// expansion, the domain record, the quarantine and the MX chooser.
#include <gtest/gtest.h>

#include "chooser_harness.hpp"
#include "config/config.hpp"
#include "routing/route_plan.hpp"
#include "routing/routing_inputs.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using namespace std::chrono_literals;
using testing::host;
using testing::record_of;

config::ConfigPtr load(std::string_view text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

// The port the first target of (binding, domain) gets under `text`.
std::uint16_t lmtp_port_of(std::string_view text, std::string binding, std::string domain = "lmtp.test") {
  auto c = load(text);
  if (!c) return 0;
  auto in = route_inputs_from_config(*c, {binding, domain});
  EXPECT_EQ(in.method, DeliveryMethod::Lmtp);
  auto plan = plan_routes(in, domain);
  if (!plan || plan->targets.empty()) {
    ADD_FAILURE() << "no plan";
    return 0;
  }
  return plan->targets.front().port;
}

constexpr std::string_view kLmtpDomain = R"(
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1 }
Binding_Group "g1" { Binding "in_group" { } }
Binding "plain" { }
)";

TEST(LmtpPort, DefaultsTo2003) { EXPECT_EQ(lmtp_port_of(kLmtpDomain, "default"), 2003); }

TEST(LmtpPort, GlobalScope) {
  EXPECT_EQ(lmtp_port_of(std::string(kLmtpDomain) + "LMTP_Port = 2401\n", "default"), 2401);
}

TEST(LmtpPort, DomainScopeBeatsGlobal) {
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1  LMTP_Port = 2402 }
)",
                         "default"),
            2402);
}

TEST(LmtpPort, BindingScopeBeatsGlobalDomainAndGlobal) {
  // Fallback order: binding::domain, binding_group::domain, binding, global domain, global.
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1  LMTP_Port = 2402 }
Binding "b1" { LMTP_Port = 2403 }
)",
                         "b1"),
            2403);
}

TEST(LmtpPort, BindingGroupScopeBeatsGlobalDomainAndGlobal) {
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1  LMTP_Port = 2402 }
Binding_Group "g1" { LMTP_Port = 2404  Binding "b1" { } }
)",
                         "b1"),
            2404);
}

TEST(LmtpPort, BindingBeatsItsBindingGroup) {
  EXPECT_EQ(lmtp_port_of(R"(
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1 }
Binding_Group "g1" { LMTP_Port = 2404  Binding "b1" { LMTP_Port = 2405 } }
)",
                         "b1"),
            2405);
}

TEST(LmtpPort, BindingDomainScopeBeatsEverything) {
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = 127.0.0.1  LMTP_Port = 2402 }
Binding "b1" { LMTP_Port = 2403  Domain "lmtp.test" { LMTP_Port = 2406 } }
)",
                         "b1"),
            2406);
}

TEST(LmtpPort, RoutePortParameterBeatsEveryScope) {
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Routes = ( "lmtp://127.0.0.1?port=2407" )  LMTP_Port = 2402 }
Binding "b1" { LMTP_Port = 2403 }
)",
                         "b1"),
            2407);
}

TEST(LmtpPort, GatewayHostPortBeatsLmtpPort) {
  EXPECT_EQ(lmtp_port_of(R"(
LMTP_Port = 2401
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = "127.0.0.1:2408" }
)",
                         "default"),
            2408);
}

TEST(LmtpPort, OnlyLmtpUsesIt) {
  auto c = load(R"(
LMTP_Port = 2401
Remote_SMTP_Port = 2525
Gateway = 127.0.0.1
Domain "lmtp.test" { Delivery_Method = LMTP }
)");
  ASSERT_TRUE(c);
  auto smtp = plan_routes(route_inputs_from_config(*c, {"default", "other.test"}), "other.test");
  ASSERT_TRUE(smtp);
  EXPECT_EQ(smtp->targets.at(0).port, 2525);
  auto lmtp = plan_routes(route_inputs_from_config(*c, {"default", "lmtp.test"}), "lmtp.test");
  ASSERT_TRUE(lmtp);
  EXPECT_EQ(lmtp->targets.at(0).port, 2401);
}

TEST(LmtpRoutes, LmtpUrlsKeepListOrderAndTheirPorts) {
  auto c = load(R"(
LMTP_Port = 2401
Domain "lmtp.test" {
  Delivery_Method = LMTP
  Routes = ( "lmtp://127.0.0.5?port=2410" "lmtp://127.0.0.6" )
}
)");
  ASSERT_TRUE(c);
  auto plan = plan_routes(route_inputs_from_config(*c, {"default", "lmtp.test"}), "lmtp.test");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->targets.size(), 2u);
  EXPECT_EQ(plan->targets[0].name, "127.0.0.5");
  EXPECT_EQ(plan->targets[0].port, 2410);
  EXPECT_EQ(plan->targets[0].scheme, "lmtp");
  EXPECT_EQ(plan->targets[1].name, "127.0.0.6");
  EXPECT_EQ(plan->targets[1].port, 2401);
  EXPECT_LT(plan->targets[0].preference_for(0), plan->targets[1].preference_for(0));
}

// ---- Unix sockets ---------------------------------------------------------------

TEST(LmtpUnixSocket, GatewayUnixPathIsASocketTarget) {
  auto c = load(R"(
Domain "lmtp.test" { Delivery_Method = LMTP  Gateway = "unix:/run/dovecot/lmtp" }
)");
  ASSERT_TRUE(c);
  auto in = route_inputs_from_config(*c, {"default", "lmtp.test"});
  ASSERT_TRUE(in.gateway);
  EXPECT_TRUE(in.gateway->unix_socket);
  auto plan = plan_routes(in, "lmtp.test");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->targets.size(), 1u);
  EXPECT_EQ(plan->targets[0].kind, RouteTarget::Kind::Socket);
  EXPECT_EQ(plan->targets[0].name, "/run/dovecot/lmtp");
  EXPECT_EQ(plan->targets[0].port, 0);
}

TEST(LmtpUnixSocket, GatewayBarePathIsASocketTargetToo) {
  auto c = load(R"(Gateway = "/var/spool/postfix/private/dovecot-lmtp"  Delivery_Method = LMTP)");
  ASSERT_TRUE(c);
  auto plan = plan_routes(route_inputs_from_config(*c, {"default", "x.test"}), "x.test");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->targets.at(0).kind, RouteTarget::Kind::Socket);
  EXPECT_EQ(plan->targets.at(0).name, "/var/spool/postfix/private/dovecot-lmtp");
}

TEST(LmtpUnixSocket, RoutesMixSocketsAndHosts) {
  auto c = load(R"(
Domain "lmtp.test" {
  Delivery_Method = LMTP
  Routes = ( "lmtp://unix:/run/dovecot/lmtp?pref=5&ttl=60" "lmtp://127.0.0.7?pref=10" "unix:/run/other/lmtp" )
}
)");
  ASSERT_TRUE(c);
  auto plan = plan_routes(route_inputs_from_config(*c, {"default", "lmtp.test"}), "lmtp.test");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->targets.size(), 3u);
  EXPECT_EQ(plan->targets[0].kind, RouteTarget::Kind::Socket);
  EXPECT_EQ(plan->targets[0].name, "/run/dovecot/lmtp");
  EXPECT_EQ(plan->targets[0].preference_for(0), 5u);
  EXPECT_EQ(plan->targets[0].ttl, 60u);
  EXPECT_EQ(plan->targets[1].kind, RouteTarget::Kind::Literal);
  EXPECT_EQ(plan->targets[2].kind, RouteTarget::Kind::Socket);
  EXPECT_EQ(plan->targets[2].name, "/run/other/lmtp");
}

class LmtpSocketRecord : public testing::BuilderFixture {};

TEST_F(LmtpSocketRecord, SocketHostNeedsNoLookupAndIsUsable) {
  RouteInputs in;
  in.method = DeliveryMethod::Lmtp;
  in.gateway = *config::parse_endpoint("unix:/run/dovecot/lmtp", true);
  in.prohibited_hosts = {testing::cidr("0.0.0.0/0")};  // address blocks do not apply to a socket
  auto record = build("lmtp.test", in);
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->usable()) << (record->failure ? record->failure->text : "");
  EXPECT_EQ(dns_.total_asked(), 0);
  ASSERT_EQ(record->hosts.size(), 1u);
  const RouteHost& h = record->hosts[0];
  EXPECT_TRUE(h.unix_socket());
  EXPECT_TRUE(h.connectable());
  EXPECT_EQ(h.socket_path, "/run/dovecot/lmtp");
  EXPECT_EQ(h.name, "/run/dovecot/lmtp");
  EXPECT_TRUE(h.addresses.empty());
  EXPECT_EQ(h.port, 0);
  EXPECT_EQ(record->ttl, kDefaultRouteTtl);
}

TEST_F(LmtpSocketRecord, SocketRouteTtlIsTheRecordTtl) {
  RouteInputs in;
  in.method = DeliveryMethod::Lmtp;
  in.routes = testing::routes({"lmtp://unix:/run/dovecot/lmtp?ttl=42"});
  auto record = build("lmtp.test", in);
  ASSERT_TRUE(record && record->usable());
  EXPECT_EQ(record->ttl, 42u);
}

RouteHost socket_host(std::string path, std::uint32_t preference) {
  RouteHost h;
  h.name = path;
  h.socket_path = std::move(path);
  h.preference = preference;
  h.port = 0;
  return h;
}

TEST(LmtpSocketChooser, ChoosesTheSocket) {
  testing::ChooserHarness t;
  auto record = record_of({socket_host("/run/dovecot/lmtp", 0)});
  Choice c = t.choose(record);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_TRUE(c.target->unix_socket());
  EXPECT_EQ(c.target->socket_path, "/run/dovecot/lmtp");
  EXPECT_EQ(c.target->host, "/run/dovecot/lmtp");
  EXPECT_EQ(c.target->address_text(), "/run/dovecot/lmtp");
  EXPECT_EQ(c.target->port, 0);
}

TEST(LmtpSocketChooser, QuarantinedSocketFallsBackToTheNextPreferenceThenRecovers) {
  testing::ChooserHarness t;
  t.policy.host_failure_retry = 120s;
  auto record = record_of({socket_host("/run/dovecot/lmtp", 0), host("backup", 10, {"192.0.2.9"}, 24)});
  t.host_health.record_failure(std::string_view("/run/dovecot/lmtp"), t.clock.now());
  Choice c = t.choose(record);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_FALSE(c.target->unix_socket());
  EXPECT_EQ(c.target->address_text(), "192.0.2.9");
  EXPECT_EQ(c.target->port, 24);

  t.clock.advance(121s);
  c = t.choose(record);
  ASSERT_EQ(c.status, ChoiceStatus::Connect);
  EXPECT_EQ(c.target->socket_path, "/run/dovecot/lmtp");
}

TEST(LmtpSocketChooser, OnlySocketQuarantinedMeansNoUsableHost) {
  testing::ChooserHarness t;
  auto record = record_of({socket_host("/run/dovecot/lmtp", 0)});
  t.host_health.record_failure(std::string_view("/run/dovecot/lmtp"), t.clock.now());
  Choice c = t.choose(record);
  EXPECT_EQ(c.status, ChoiceStatus::NoUsableHost);
  ASSERT_TRUE(c.failure);
  EXPECT_EQ(c.failure->text, kNoMxReachableText);
}

TEST(LmtpSocketChooser, HostLimitIsKeyedByThePath) {
  testing::ChooserHarness t;
  t.set_host_limits({{"/run/dovecot/lmtp", 1}});
  auto record = record_of({socket_host("/run/dovecot/lmtp", 0)});
  EXPECT_EQ(t.open(record).status, ChoiceStatus::Connect);
  EXPECT_EQ(t.open(record).status, ChoiceStatus::HostsAtLimit);
}

TEST(LmtpSocketChooser, SocketThatKeepsFailingDelaysTheDomain) {
  // Mx_Failures_To_Delay counts a socket host like any other.
  testing::ChooserHarness t;
  t.policy.mx_failures_to_delay = 3;
  auto record = record_of({socket_host("/run/dovecot/lmtp", 0)});
  for (int i = 0; i < 3; ++i) t.domain_health.record_failure("/run/dovecot/lmtp", t.clock.now());
  EXPECT_EQ(t.choose(record).status, ChoiceStatus::DelayDomain);
}

TEST(LmtpHostHealth, SocketFailuresAreKeptByPathApartFromAddresses) {
  HostHealth health;
  const SteadyTime t0{};
  health.record_failure(std::string_view("/run/a"), t0);
  EXPECT_TRUE(health.quarantined(std::string_view("/run/a"), t0 + 1s, 120s));
  EXPECT_FALSE(health.quarantined(std::string_view("/run/b"), t0 + 1s, 120s));
  EXPECT_FALSE(health.quarantined(*config::parse_ip("127.0.0.1"), t0 + 1s, 120s));
  EXPECT_EQ(health.failed_at(std::string_view("/run/a")), t0);
  EXPECT_EQ(health.size(), 1u);
  health.record_success(std::string_view("/run/a"));
  EXPECT_FALSE(health.quarantined(std::string_view("/run/a"), t0 + 1s, 120s));

  health.record_failure(std::string_view("/run/a"), t0);
  health.record_failure(*config::parse_ip("127.0.0.1"), t0 + 100s);
  EXPECT_EQ(health.purge(t0 + 150s, 120s), 1u);  // only the socket's failure is old enough
  EXPECT_EQ(health.size(), 1u);
}

}  // namespace
}  // namespace impulse::routing
