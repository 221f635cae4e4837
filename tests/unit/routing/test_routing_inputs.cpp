// Glue from config::Config to routing (routing_inputs.hpp), with real
// configurations from load_config_text: defaults, seed 001, Routes vs
// Gateway, global-only options, limits, Host limits, throttle sharing by
// owner scope, and a reload that does not rebuild cached records.
#include <gtest/gtest.h>

#include "chooser_harness.hpp"
#include "config/config.hpp"
#include "routing/domain_record_cache.hpp"
#include "routing/route_plan.hpp"
#include "routing/routing_inputs.hpp"
#include "routing_fixtures.hpp"

namespace impulse::routing {
namespace {

using config::OutboundKey;
using testing::ip;
using namespace std::chrono_literals;

config::ConfigPtr load(std::string_view text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

TEST(RoutingInputs, BuiltInDefaults) {
  auto c = load("");
  ASSERT_TRUE(c);
  auto in = route_inputs_from_config(*c, {"default", "example.com"});
  EXPECT_EQ(in.method, DeliveryMethod::Esmtp);
  EXPECT_TRUE(in.routes.empty());
  EXPECT_FALSE(in.gateway.has_value());
  EXPECT_EQ(in.ports.remote_smtp_port, 25);
  EXPECT_EQ(in.ports.lmtp_port, 2003);
  EXPECT_EQ(in.ports.ecstream_port, 1825);
  EXPECT_TRUE(in.prohibited_hosts.empty());
  EXPECT_TRUE(in.skip_hosts.empty());
  EXPECT_FALSE(in.use_ipv6);
  EXPECT_FALSE(in.prefer_ipv6_mxs);
  EXPECT_EQ(in.min_dns_ttl, 0u);
  EXPECT_EQ(in.max_dns_ttl, 4294967295u);
  EXPECT_EQ(in.dns_failures_to_purge, 10u);

  auto policy = connection_policy_from_config(*c, {"default", "example.com"});
  EXPECT_EQ(policy.max_outbound_connections, 32);
  EXPECT_EQ(policy.server_max_outbound_connections, 20000);
  EXPECT_EQ(policy.host_failure_retry, 120s);
  EXPECT_EQ(policy.mx_failures_to_delay, 50u);
  EXPECT_EQ(policy.connect_timeout_to_delay, 900s);
  EXPECT_EQ(policy.aggressiveness, Aggressiveness::Normal);
  EXPECT_FALSE(throttle_from_config(*c, {"default", "example.com"}, ThrottleKind::Messages).limited());
  EXPECT_EQ(host_max_connections(*c, "default", "mx.example.com"), -1);
}

// Seed 001, verbatim.
constexpr std::string_view kSeed001 = R"(
# route all mail to a "smart host"
Gateway = 10.10.10.50

# Except for mail for local.example.com
Domain local.example.com {
  # which is routed to this address
  Gateway = 10.10.10.20
  # using LMTP
  Delivery_Method = LMTP
}
)";

TEST(RoutingInputs, Seed001GatewaysAndLmtp) {
  auto c = load(kSeed001);
  ASSERT_TRUE(c);
  auto other = route_inputs_from_config(*c, {"default", "example.org"});
  ASSERT_TRUE(other.gateway);
  EXPECT_EQ(other.gateway->host, "10.10.10.50");
  EXPECT_EQ(other.method, DeliveryMethod::Esmtp);
  auto other_plan = plan_routes(other, "example.org");
  ASSERT_TRUE(other_plan);
  EXPECT_EQ(other_plan->targets.at(0).port, 25);

  auto local = route_inputs_from_config(*c, {"default", "local.example.com"});
  ASSERT_TRUE(local.gateway);
  EXPECT_EQ(local.gateway->host, "10.10.10.20");
  EXPECT_EQ(local.method, DeliveryMethod::Lmtp);
  auto local_plan = plan_routes(local, "local.example.com");
  ASSERT_TRUE(local_plan);
  EXPECT_EQ(local_plan->targets.at(0).name, "10.10.10.20");
  EXPECT_EQ(local_plan->targets.at(0).port, 2003);
}

TEST(RoutingInputs, RoutesAreParsedInOrder) {
  auto c = load(R"(
Domain "example.com" {
  Routes = ( "smtp://my.local.smart.host?pref=1" "__mx__" "[2001:db8::1]:2525" )
  Remote_SMTP_Port = 2526
}
)");
  ASSERT_TRUE(c);
  auto in = route_inputs_from_config(*c, {"default", "example.com"});
  ASSERT_EQ(in.routes.size(), 3u);
  EXPECT_EQ(in.routes[0].target.host, "my.local.smart.host");
  EXPECT_EQ(in.routes[0].pref, 1u);
  EXPECT_EQ(in.routes[1].kind, config::RouteItem::Kind::Mx);
  EXPECT_EQ(in.routes[2].target.port, 2525);
  EXPECT_EQ(in.ports.remote_smtp_port, 2526);
  EXPECT_TRUE(route_inputs_from_config(*c, {"default", "example.org"}).routes.empty());
}

TEST(RoutingInputs, TheMoreSpecificOfRoutesAndGatewayWins) {
  auto c = load(R"(
Routes = ( "global.route.example" )
Domain "gw.example" {
  Gateway = "domain.gateway.example"
}
Domain "both.example" {
  Gateway = "domain.gateway.example"
  Routes = ( "domain.route.example" )
}
Binding "b1" {
  Gateway = "binding.gateway.example"
}
)");
  ASSERT_TRUE(c);
  auto plain = route_inputs_from_config(*c, {"default", "plain.example"});
  ASSERT_EQ(plain.routes.size(), 1u);
  EXPECT_EQ(plain.routes[0].target.host, "global.route.example");

  auto gw = route_inputs_from_config(*c, {"default", "gw.example"});
  EXPECT_TRUE(gw.routes.empty()) << "a domain Gateway beats a global Routes";
  EXPECT_EQ(gw.gateway->host, "domain.gateway.example");

  auto both = route_inputs_from_config(*c, {"default", "both.example"});
  ASSERT_EQ(both.routes.size(), 1u) << "same scope: Routes";
  EXPECT_EQ(both.routes[0].target.host, "domain.route.example");

  auto binding = route_inputs_from_config(*c, {"b1", "plain.example"});
  EXPECT_TRUE(binding.routes.empty()) << "a binding Gateway beats a global Routes";
  EXPECT_EQ(binding.gateway->host, "binding.gateway.example");
}

TEST(RoutingInputs, EcstreamKeepsTheGateway) {
  auto c = load(R"(
Routes = ( "global.route.example" )
Gateway = "node2.example:1900"
Domain "stream.example" { Delivery_Method = ECSTREAM }
)");
  ASSERT_TRUE(c);
  auto in = route_inputs_from_config(*c, {"default", "stream.example"});
  EXPECT_EQ(in.method, DeliveryMethod::Ecstream);
  ASSERT_TRUE(in.gateway);
  auto plan = plan_routes(in, "stream.example");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->targets.at(0).name, "node2.example");
  EXPECT_EQ(plan->targets.at(0).port, 1900);
}

TEST(RoutingInputs, GlobalDnsAndDestinationOptions) {
  auto c = load(R"(
Prohibited_Hosts = ( "127.0.0.0/8" "::1" )
Skip_Hosts = ( "10.0.0.0/8" )
Use_IPv6 = true
Prefer_IPv6_MXs = true
Min_DNS_TTL = 60
Max_DNS_TTL = 86400
DNS_Failures_To_Purge = 4
Domain "patient.example" { DNS_Failures_To_Purge = 40 }
)");
  ASSERT_TRUE(c);
  auto in = route_inputs_from_config(*c, {"default", "example.com"});
  ASSERT_EQ(in.prohibited_hosts.size(), 2u);
  EXPECT_TRUE(in.prohibited_hosts[0].contains(ip("127.0.0.2")));
  EXPECT_TRUE(in.prohibited_hosts[1].contains(ip("::1")));
  ASSERT_EQ(in.skip_hosts.size(), 1u);
  EXPECT_TRUE(in.skip_hosts[0].contains(ip("10.2.3.4")));
  EXPECT_TRUE(in.use_ipv6);
  EXPECT_TRUE(in.prefer_ipv6_mxs);
  EXPECT_EQ(in.min_dns_ttl, 60u);
  EXPECT_EQ(in.max_dns_ttl, 86400u);
  EXPECT_EQ(in.dns_failures_to_purge, 4u);
  EXPECT_EQ(route_inputs_from_config(*c, {"default", "patient.example"}).dns_failures_to_purge, 40u);
}

TEST(RoutingInputs, ConnectionPolicyFollowsTheFallbackChain) {
  auto c = load(R"(
Max_Outbound_Connections = 20
Server_Max_Outbound_Connections = 500
Host_Failure_Retry = 30
Binding_Group "g1" {
  Connection_Allocation_Aggressiveness = high
  Binding "b1" {
    Domain "example.com" { Max_Outbound_Connections = 40 }
  }
}
Domain "slow.example" {
  Mx_Failures_To_Delay = 5
  Connect_Timeout_To_Delay = 60
  Host_Failure_Retry = 600
}
)");
  ASSERT_TRUE(c);
  auto b1 = connection_policy_from_config(*c, {"b1", "example.com"});
  EXPECT_EQ(b1.max_outbound_connections, 40);
  EXPECT_EQ(b1.aggressiveness, Aggressiveness::High);
  EXPECT_EQ(b1.server_max_outbound_connections, 500);
  EXPECT_EQ(b1.host_failure_retry, 30s);
  auto other = connection_policy_from_config(*c, {"b1", "other.example"});
  EXPECT_EQ(other.max_outbound_connections, 20);
  auto slow = connection_policy_from_config(*c, {"default", "slow.example"});
  EXPECT_EQ(slow.aggressiveness, Aggressiveness::Normal);
  EXPECT_EQ(slow.mx_failures_to_delay, 5u);
  EXPECT_EQ(slow.connect_timeout_to_delay, 60s);
  EXPECT_EQ(slow.host_failure_retry, 600s);
}

TEST(RoutingInputs, HostLimitsDoNotFallBack) {
  auto c = load(R"(
Max_Outbound_Connections = 20
Host "mx1.example.com" { Max_Outbound_Connections = 5 }
Host "mx2.example.com" { }
Binding "b1" {
  Host "mx1.example.com" { Max_Outbound_Connections = 2 }
}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(host_max_connections(*c, "default", "mx1.example.com"), 5);
  EXPECT_EQ(host_max_connections(*c, "b1", "mx1.example.com"), 2);
  EXPECT_EQ(host_max_connections(*c, "default", "mx2.example.com"), -1) << "a Host stanza without it: unlimited";
  EXPECT_EQ(host_max_connections(*c, "default", "mx3.example.com"), -1);

  // Through the chooser: mx1 (pref 10) takes 5 connections, then mx2.
  testing::ChooserHarness h;
  h.host_limit = host_limits_from_config(c, "default");
  auto record = testing::record_of(
      {testing::host("mx1.example.com", 10, {"192.0.2.1"}), testing::host("mx2.example.com", 20, {"192.0.2.2"})});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.open(record).target->host, "mx1.example.com");
  EXPECT_EQ(h.open(record).target->host, "mx2.example.com");
}

TEST(RoutingInputs, ThrottlesAreSharedByTheOwningScope) {
  auto c = load(R"(
Binding_Group "g1" {
  Outbound_Throttle_Messages = "2"
  Binding "b1" { }
  Binding "b2" {
    Domain "own.example" { Outbound_Throttle_Messages = "5/2" }
  }
}
Outbound_Throttle_Connections = "1/10"
)");
  ASSERT_TRUE(c);
  ManualClock clock;
  ThrottleRegistry registry(clock);
  auto a = throttle_bucket(registry, *c, {"b1", "a.example"}, ThrottleKind::Messages);
  auto b = throttle_bucket(registry, *c, {"b2", "b.example"}, ThrottleKind::Messages);
  auto own = throttle_bucket(registry, *c, {"b2", "own.example"}, ThrottleKind::Messages);
  ASSERT_TRUE(a && b && own);
  EXPECT_EQ(a, b) << "every binding of g1 consumes g1's bucket";
  EXPECT_NE(a, own);
  EXPECT_EQ(own->rate().count, 5);
  EXPECT_EQ(own->rate().per_seconds, 2);
  EXPECT_TRUE(a->try_take(clock.now()));
  EXPECT_TRUE(b->try_take(clock.now()));
  EXPECT_FALSE(a->try_take(clock.now())) << "2 per second for the whole group";
  EXPECT_EQ(throttle_bucket(registry, *c, {"default", "x.example"}, ThrottleKind::Messages), nullptr);

  auto conn1 = throttle_bucket(registry, *c, {"default", "x.example"}, ThrottleKind::Connections);
  auto conn2 = throttle_bucket(registry, *c, {"b1", "y.example"}, ThrottleKind::Connections);
  EXPECT_EQ(conn1, conn2) << "the global connection throttle is one bucket";
  EXPECT_EQ(throttle_from_config(*c, {"b1", "y.example"}, ThrottleKind::Connections).owner, "global");
}

TEST(RoutingInputs, HostThrottlesHaveTheirOwnChain) {
  auto c = load(R"(
Outbound_Throttle_Connections = "100"
Host "mx1.example.com" { Outbound_Throttle_Connections = "3" }
Host "mx2.example.com" { }
)");
  ASSERT_TRUE(c);
  ManualClock clock;
  ThrottleRegistry registry(clock);
  auto mx1 = host_throttle_bucket(registry, *c, "default", "mx1.example.com", ThrottleKind::Connections);
  ASSERT_TRUE(mx1);
  EXPECT_EQ(mx1->rate().count, 3);
  EXPECT_EQ(mx1, host_throttle_bucket(registry, *c, "b9", "mx1.example.com", ThrottleKind::Connections));
  EXPECT_EQ(host_throttle_bucket(registry, *c, "default", "mx2.example.com", ThrottleKind::Connections), nullptr)
      << "no fallback to the global throttle";
  EXPECT_EQ(host_throttle_bucket(registry, *c, "default", "mx1.example.com", ThrottleKind::Messages), nullptr);
}

TEST(RoutingInputs, ScopeRanksFollowTheFallbackOrder) {
  EXPECT_EQ(outbound_scope_rank("binding_group:g1/binding:b1/domain:example.com"), 1);
  EXPECT_EQ(outbound_scope_rank("binding:b1/domain:example.com"), 1);
  EXPECT_EQ(outbound_scope_rank("binding_group:g1/domain:example.com"), 3);
  EXPECT_EQ(outbound_scope_rank("binding_group:g1/binding:b1"), 4);
  EXPECT_EQ(outbound_scope_rank("binding:b1"), 4);
  EXPECT_EQ(outbound_scope_rank("binding_group:g1"), 5);
  EXPECT_EQ(outbound_scope_rank("domain:example.com"), 6);
  EXPECT_EQ(outbound_scope_rank("domain:/^ex.*$/"), 6);
  EXPECT_EQ(outbound_scope_rank("global"), 7);
  EXPECT_EQ(outbound_scope_rank("default"), 8);
}

// SPEC §3: a config reload does not rebuild existing records; new routes
// apply when the TTL runs out, or at once after `refresh domain`.
TEST(RoutingInputs, ReloadKeepsCachedRecordsUntilTtlOrRefresh) {
  auto before = load(R"(Domain "example.com" { Routes = ( "smtp://192.0.2.1?ttl=600" ) })");
  auto after = load(R"(Domain "example.com" { Routes = ( "smtp://192.0.2.2?ttl=600" ) })");
  ASSERT_TRUE(before && after);
  config::ConfigPtr running = before;

  test::FakeResolver dns;
  ManualClock clock;
  SeededRandom random(3);
  DomainRecordBuilder builder(dns, clock, random);
  DomainRecordCache cache(builder, clock, [&](const RecordKey& key) {
    return route_inputs_from_config(*running, OutboundKey{key.binding, key.domain});
  });
  auto first_host = [&] {
    std::string name;
    cache.get({"default", "example.com"}, [&](auto record) { name = record->hosts.at(0).name; });
    dns.pump();
    return name;
  };

  EXPECT_EQ(first_host(), "192.0.2.1");
  running = after;  // config reload
  EXPECT_EQ(first_host(), "192.0.2.1");
  clock.advance(600s);
  EXPECT_EQ(first_host(), "192.0.2.2") << "the TTL ran out";

  running = before;  // reload again, then `refresh domain example.com`
  EXPECT_EQ(first_host(), "192.0.2.2");
  cache.refresh("example.com");
  EXPECT_EQ(first_host(), "192.0.2.1");
}

}  // namespace
}  // namespace impulse::routing
