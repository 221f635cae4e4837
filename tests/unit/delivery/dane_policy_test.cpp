// Unit tests for delivery/smtp/dane_policy.hpp: what a TLSA answer means
// for the delivery (RFC 7672 §2.2).
#include "delivery/smtp/dane_policy.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::smtp {
namespace {

dns::Answer tlsa_answer(dns::Status status, dns::Security security, std::vector<dns::TlsaRecord> records = {}) {
  dns::Answer a;
  a.status = status;
  a.security = security;
  a.canonical_name = "_25._tcp.mx.test";
  a.tlsa = std::move(records);
  return a;
}

TEST(DanePolicy, TlsaName) { EXPECT_EQ(tlsa_name(25, "mx.example.com"), "_25._tcp.mx.example.com"); }

TEST(DanePolicy, SecureRecordsMakeDaneMandatory) {
  dns::TlsaRecord ee{3, 1, 1, std::vector<std::uint8_t>(32, 7)};
  dns::TlsaRecord pkix{0, 0, 1, std::vector<std::uint8_t>(32, 7)};
  auto v = dane_verdict(tlsa_answer(dns::Status::Ok, dns::Security::kSecure, {ee, pkix}));
  EXPECT_EQ(v.decision, DaneDecision::kDane);
  ASSERT_EQ(v.records.size(), 1u);
  EXPECT_EQ(v.records[0], ee);
}

TEST(DanePolicy, InsecureOrDeniedFallsBackToConfiguration) {
  dns::TlsaRecord ee{3, 1, 1, std::vector<std::uint8_t>(32, 7)};
  EXPECT_EQ(dane_verdict(tlsa_answer(dns::Status::Ok, dns::Security::kInsecure, {ee})).decision,
            DaneDecision::kConfigured);
  EXPECT_EQ(dane_verdict(tlsa_answer(dns::Status::NoData, dns::Security::kSecure)).decision,
            DaneDecision::kConfigured);
  EXPECT_EQ(dane_verdict(tlsa_answer(dns::Status::NxDomain, dns::Security::kInsecure)).decision,
            DaneDecision::kConfigured);
}

TEST(DanePolicy, BogusOrFailedLookupDefers) {
  auto bogus = dane_verdict(tlsa_answer(dns::Status::ServFail, dns::Security::kBogus));
  EXPECT_EQ(bogus.decision, DaneDecision::kDefer);
  EXPECT_NE(bogus.reason.find("bogus"), std::string::npos);
  EXPECT_EQ(dane_verdict(tlsa_answer(dns::Status::Timeout, dns::Security::kInsecure)).decision,
            DaneDecision::kDefer);
}

}  // namespace
}  // namespace impulse::delivery::smtp
