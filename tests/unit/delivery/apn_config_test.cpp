// APN configuration (SPEC §1, §11, §12): the --check error for both
// authentications in one scope, the warnings for missing credentials and
// for the retired binary-protocol hosts, the routing rewrite of those hosts
// (A/AAAA lookups only for HTTP methods), and ApnSettings read from a
// snapshot (verification on unless tls_verify = no).
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "delivery/apn/apn_settings_config.hpp"
#include "routing/route_plan.hpp"

namespace impulse::delivery::apn {
namespace {

config::ConfigPtr load(std::string_view text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

TEST(ApnCheck, SeedStyleDomainIsValidWithTwoWarnings) {
  auto cfg = load(
      "domain \"apn_example.com\" {\n"
      "  delivery_method = \"apn\"\n"
      "  routes = (\"apn://gateway.push.apple.com?port=2195\")\n"
      "}\n");
  ASSERT_TRUE(cfg);
  const auto& w = cfg->warnings();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].str(),
            "t.conf:2:3: warning: APN domain \"apn_example.com\" has no credentials (apn_key_file, apn_key_id and "
            "apn_team_id, or tls_certificate): its messages will wait (451 4.7.0 [internal] APN credentials not "
            "configured)");
  EXPECT_EQ(w[1].str(),
            "t.conf:3:3: warning: route \"apn://gateway.push.apple.com?port=2195\" names the retired APNs binary "
            "protocol; delivering over HTTP/2 to api.push.apple.com:443 instead");
}

TEST(ApnCheck, CredentialsFromAnEnclosingScopeSilenceTheWarning) {
  auto cfg = load(
      "tls_certificate = \"/etc/apn/cert.pem\"\n"
      "domain \"apn.example\" {\n"
      "  delivery_method = \"apn\"\n"
      "  routes = (\"apn://api.sandbox.push.apple.com\")\n"
      "}\n");
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->warnings().empty()) << cfg->warnings()[0].str();
}

TEST(ApnCheck, BothAuthenticationsInOneScopeIsAnError) {
  auto r = config::load_config_text(
      "domain \"apn.example\" {\n"
      "  delivery_method = \"apn\"\n"
      "  apn_key_file = \"/k.p8\"\n"
      "  apn_key_id = \"ABC123DEFG\"\n"
      "  apn_team_id = \"DEF123GHIJ\"\n"
      "  tls_certificate = \"/c.pem\"\n"
      "}\n",
      "t.conf");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].str(),
            "t.conf:3:3: error: APN token authentication (apn_key_file, apn_key_id, apn_team_id) and certificate "
            "authentication (tls_certificate) are both set in this scope; choose one");
}

TEST(ApnRoutes, RetiredGatewayBecomesTheHttp2ApiResolvedByAddressOnly) {
  routing::RouteInputs in;
  in.method = routing::DeliveryMethod::Apn;
  for (const char* text : {"apn://gateway.push.apple.com?port=2195", "apn://gateway.sandbox.push.apple.com:2195",
                           "apn://gateway.push.apple.com?port=443", "apn://apns.test?port=8443"})
    in.routes.push_back(*config::parse_route_item(text));
  auto plan = routing::plan_routes(in, "apn.example");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->targets.size(), 4u);
  EXPECT_EQ(plan->targets[0].name, "api.push.apple.com");
  EXPECT_EQ(plan->targets[0].port, 443);
  EXPECT_EQ(plan->targets[1].name, "api.sandbox.push.apple.com");
  EXPECT_EQ(plan->targets[1].port, 443);
  EXPECT_EQ(plan->targets[2].name, "gateway.push.apple.com");  // not port 2195: as written
  EXPECT_EQ(plan->targets[3].name, "apns.test");
  EXPECT_EQ(plan->targets[3].port, 8443);
  for (const auto& t : plan->targets) EXPECT_EQ(t.lookup, config::RouteItem::Lookup::A) << t.name;

  in.method = routing::DeliveryMethod::Esmtp;  // SMTP routes keep MX lookups and their hosts
  auto smtp = routing::plan_routes(in, "apn.example");
  ASSERT_TRUE(smtp);
  EXPECT_EQ(smtp->targets[0].name, "gateway.push.apple.com");
  EXPECT_EQ(smtp->targets[0].lookup, config::RouteItem::Lookup::Mx);
}

TEST(ApnSettings, TokenAuthenticationWithVerificationOnByDefault) {
  auto cfg = load(
      "domain \"apn.example\" {\n"
      "  delivery_method = apn\n"
      "  apn_key_file = \"/k.p8\"\n  apn_key_id = ABC123DEFG\n  apn_team_id = DEF123GHIJ\n"
      "  apn_topic = com.example.app\n  apn_priority = 5\n  apn_expiry = 3600\n"
      "  delivery_response_timeout = 1500\n  idle_timeout = 7\n  tls_ca = \"/ca.pem\"\n"
      "}\n");
  ASSERT_TRUE(cfg);
  auto s = apn_settings_from_config(*cfg, config::OutboundKey{"default", "apn.example"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->auth, ApnAuth::kToken);
  EXPECT_EQ(s->key_id, "ABC123DEFG");
  EXPECT_EQ(s->topic, "com.example.app");
  EXPECT_EQ(s->push_type, "alert");
  EXPECT_EQ(s->priority, "5");
  EXPECT_EQ(s->expiry_seconds, 3600);
  EXPECT_TRUE(s->tls.verify);
  EXPECT_EQ(s->tls.ca, "/ca.pem");
  EXPECT_EQ(s->response_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(s->idle_timeout, std::chrono::seconds(7));
}

TEST(ApnSettings, CertificateAuthenticationAndTlsVerifyNo) {
  auto cfg = load(
      "domain \"apn.example\" {\n  delivery_method = apn\n  tls_certificate = \"/c.pem\"\n  tls_key = \"/k.pem\"\n"
      "  tls_verify = no\n}\n"
      "domain \"none.example\" { delivery_method = apn }\n");
  ASSERT_TRUE(cfg);
  auto s = apn_settings_from_config(*cfg, config::OutboundKey{"default", "apn.example"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->auth, ApnAuth::kCertificate);
  EXPECT_EQ(s->tls.certificate, "/c.pem");
  EXPECT_FALSE(s->tls.verify);
  auto none = apn_settings_from_config(*cfg, config::OutboundKey{"default", "none.example"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->auth, ApnAuth::kNone);
}

TEST(ApnSettings, IncompleteTokenOrBadPriorityCannotDeliver) {
  auto cfg = load(
      "domain \"a.example\" { delivery_method = apn\n apn_key_file = \"/k.p8\" }\n"
      "domain \"b.example\" { delivery_method = apn\n tls_certificate = \"/c.pem\"\n apn_priority = 7 }\n");
  ASSERT_TRUE(cfg);
  auto a = apn_settings_from_config(*cfg, config::OutboundKey{"default", "a.example"});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "APN token authentication needs apn_key_file, apn_key_id and apn_team_id");
  auto b = apn_settings_from_config(*cfg, config::OutboundKey{"default", "b.example"});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "apn_priority \"7\" is not 10, 5 or 1");
}

}  // namespace
}  // namespace impulse::delivery::apn
