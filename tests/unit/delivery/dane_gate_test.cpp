// Unit tests for delivery/smtp/dane_gate.hpp (RFC 7672 §2.2.1, §2.2.2: when
// DANE may apply to a host) and delivery/smtp/host_tls.hpp (DANE, MTA-STS
// and the configuration combined for one host).
#include "delivery/smtp/dane_gate.hpp"

#include <gtest/gtest.h>

#include "delivery/smtp/host_tls.hpp"

namespace impulse::delivery::smtp {
namespace {

dns::Answer mx_answer(dns::Security security, std::vector<std::string> exchanges, std::uint32_t ttl = 600) {
  dns::Answer a;
  a.status = dns::Status::Ok;
  a.security = security;
  a.ttl = ttl;
  for (auto& e : exchanges) a.mx.push_back({10, std::move(e)});
  return a;
}

dns::Answer status_answer(dns::Status status, dns::Security security, std::string error = {}) {
  dns::Answer a;
  a.status = status;
  a.security = security;
  a.error_text = std::move(error);
  return a;
}

dns::Answer address_answer(dns::Security security, std::string canonical, std::uint32_t ttl = 300) {
  dns::Answer a;
  a.status = dns::Status::Ok;
  a.security = security;
  a.ttl = ttl;
  a.canonical_name = std::move(canonical);
  a.addresses.push_back(*config::parse_ip("192.0.2.1"));
  return a;
}

TEST(DaneGate, SecureMxListingTheHostGoesOn) {
  auto g = dane_mx_gate(mx_answer(dns::Security::kSecure, {"mx.d.test"}), "d.test", "MX.d.test");
  EXPECT_EQ(g.step, DaneGateStep::kLookTlsa);
  EXPECT_EQ(g.ttl, 600u);
}

TEST(DaneGate, UnsignedMxMeansNoDane) {
  auto g = dane_mx_gate(mx_answer(dns::Security::kInsecure, {"mx.d.test"}), "d.test", "mx.d.test");
  EXPECT_EQ(g.step, DaneGateStep::kNoDane);
  EXPECT_EQ(g.reason, "MX RRset of d.test is not DNSSEC-signed");
}

TEST(DaneGate, BogusOrFailedMxDefers) {
  auto bogus = dane_mx_gate(status_answer(dns::Status::ServFail, dns::Security::kBogus, "signature expired"), "d.test",
                            "mx.d.test");
  EXPECT_EQ(bogus.step, DaneGateStep::kDefer);
  EXPECT_EQ(bogus.reason, "DANE: MX lookup for d.test bogus (signature expired)");
  auto timeout = dane_mx_gate(status_answer(dns::Status::Timeout, dns::Security::kInsecure), "d.test", "mx.d.test");
  EXPECT_EQ(timeout.step, DaneGateStep::kDefer);
  EXPECT_EQ(timeout.reason, "DANE: MX lookup for d.test timeout");
}

TEST(DaneGate, RouteHostOutsideTheMxRRsetDependsOnItsOwnRecordsOnly) {
  EXPECT_EQ(dane_mx_gate(mx_answer(dns::Security::kInsecure, {"mx.d.test"}), "d.test", "relay.corp.test").step,
            DaneGateStep::kLookTlsa);
  EXPECT_EQ(dane_mx_gate(status_answer(dns::Status::NxDomain, dns::Security::kInsecure), "d.test", "relay.corp.test")
                .step,
            DaneGateStep::kLookTlsa);
}

TEST(DaneGate, ImplicitMxNeedsASecureDenial) {
  EXPECT_EQ(dane_mx_gate(status_answer(dns::Status::NoData, dns::Security::kSecure), "d.test", "d.test").step,
            DaneGateStep::kLookTlsa);
  EXPECT_EQ(dane_mx_gate(status_answer(dns::Status::NoData, dns::Security::kInsecure), "d.test", "d.test").step,
            DaneGateStep::kNoDane);
}

TEST(DaneGate, SecureAddressGivesTheHostAsTlsaBase) {
  auto g = dane_address_gate(address_answer(dns::Security::kSecure, "mx.d.test"), "mx.d.test");
  EXPECT_EQ(g.step, DaneGateStep::kLookTlsa);
  EXPECT_EQ(g.tlsa_bases, std::vector<std::string>{"mx.d.test"});
  EXPECT_EQ(g.ttl, 300u);
}

TEST(DaneGate, SecureCnameExpansionComesFirst) {
  auto g = dane_address_gate(address_answer(dns::Security::kSecure, "real.hosting.test"), "mx.d.test");
  EXPECT_EQ(g.tlsa_bases, (std::vector<std::string>{"real.hosting.test", "mx.d.test"}));
}

TEST(DaneGate, UnsignedAddressMeansNoDaneAndAFailedOneDefers) {
  auto insecure = dane_address_gate(address_answer(dns::Security::kInsecure, "mx.d.test"), "mx.d.test");
  EXPECT_EQ(insecure.step, DaneGateStep::kNoDane);
  EXPECT_EQ(insecure.reason, "address records of mx.d.test are not DNSSEC-signed");
  auto failed = dane_address_gate(status_answer(dns::Status::ServFail, dns::Security::kInsecure, "refused"), "mx.d.test");
  EXPECT_EQ(failed.step, DaneGateStep::kDefer);
  EXPECT_EQ(failed.reason, "DANE: address lookup for mx.d.test servfail (refused)");
}

TEST(DaneGate, IpLiterals) {
  EXPECT_TRUE(ip_literal("192.0.2.1"));
  EXPECT_TRUE(ip_literal("::1"));
  EXPECT_FALSE(ip_literal("mx.d.test"));
}

// ---- host_tls ----------------------------------------------------------------

std::shared_ptr<const DaneVerdict> verdict(DaneDecision decision, std::string reason = {}) {
  auto v = std::make_shared<DaneVerdict>();
  v->decision = decision;
  v->reason = std::move(reason);
  if (decision == DaneDecision::kDane) v->records.push_back(dns::TlsaRecord{3, 1, 1, std::vector<std::uint8_t>(32, 1)});
  return v;
}

TEST(HostTls, WithoutDaneOrMtaStsTheConfigurationApplies) {
  const HostTls t = host_tls(TlsMode::kIfAvailable, TlsVerify::kCa, nullptr, nullptr);
  EXPECT_EQ(t.tls, TlsMode::kIfAvailable);
  EXPECT_EQ(t.verify, TlsVerify::kCa);
  EXPECT_FALSE(t.refused);
  EXPECT_EQ(t.dane, nullptr);
  const HostTls no_dane = host_tls(TlsMode::kNo, TlsVerify::kNo, verdict(DaneDecision::kConfigured), nullptr);
  EXPECT_EQ(no_dane.tls, TlsMode::kNo);
  EXPECT_EQ(no_dane.dane, nullptr);
}

TEST(HostTls, DaneMakesTlsMandatoryAndWinsOverMtaSts) {
  TlsRequirement enforce{TlsMode::kRequired, TlsVerify::kHost, true, "MX not in policy"};
  const HostTls t = host_tls(TlsMode::kNo, TlsVerify::kNo, verdict(DaneDecision::kDane), &enforce);
  EXPECT_EQ(t.tls, TlsMode::kRequired);
  EXPECT_EQ(t.verify, TlsVerify::kNo);  // the TLSA records decide
  ASSERT_NE(t.dane, nullptr);
  EXPECT_EQ(t.dane->records.size(), 1u);
  EXPECT_FALSE(t.refused);
}

TEST(HostTls, DaneDeferralRefusesTheHost) {
  const HostTls t = host_tls(TlsMode::kRequired, TlsVerify::kHost,
                             verdict(DaneDecision::kDefer, "DANE: TLSA lookup for _25._tcp.mx.d.test bogus"), nullptr);
  EXPECT_TRUE(t.refused);
  EXPECT_EQ(t.reason, "DANE: TLSA lookup for _25._tcp.mx.d.test bogus");
}

TEST(HostTls, MtaStsAppliesWhenDaneDoesNot) {
  TlsRequirement testing{TlsMode::kIfAvailable, TlsVerify::kOptional, false, ""};
  const HostTls t = host_tls(TlsMode::kNo, TlsVerify::kNo, verdict(DaneDecision::kConfigured), &testing);
  EXPECT_EQ(t.tls, TlsMode::kIfAvailable);
  EXPECT_EQ(t.verify, TlsVerify::kOptional);
  TlsRequirement refused{TlsMode::kRequired, TlsVerify::kHost, true, "MX not in policy"};
  const HostTls r = host_tls(TlsMode::kNo, TlsVerify::kNo, nullptr, &refused);
  EXPECT_TRUE(r.refused);
  EXPECT_EQ(r.reason, "MX not in policy");
}

}  // namespace
}  // namespace impulse::delivery::smtp
