// DKIM's pure parts (protocol/dkim_from.hpp, dkim_names.hpp, dkim_key.hpp,
// dkim_field.hpp; SPEC §19): the From: domain, the dkim_domain candidates,
// key path macros, the header list, the PEM key kind, the header field.
#include <gtest/gtest.h>

#include "protocol/dkim_field.hpp"
#include "protocol/dkim_from.hpp"
#include "protocol/dkim_key.hpp"
#include "protocol/dkim_names.hpp"

namespace impulse::protocol {
namespace {

std::string domain_of(std::string_view message) {
  auto d = dkim_from_domain(message);
  return d ? *d : "error: " + d.error();
}

TEST(DkimFrom, PlainAngleAndDisplayName) {
  EXPECT_EQ(domain_of("From: a@Example.COM\r\nTo: b@x.test\r\n\r\nbody\r\n"), "example.com");
  EXPECT_EQ(domain_of("Subject: s\r\nfrom : \"Doe, <Jane@evil.test>\" <jane@mail.example.org.>\r\n\r\n"),
            "mail.example.org");
  EXPECT_EQ(domain_of("From: (comment @evil.test) Jane <jane@example.net> (x)\r\n\r\n"), "example.net");
  EXPECT_EQ(domain_of("From: \"a@b\"@quoted.test\r\n\r\n"), "quoted.test");
}

TEST(DkimFrom, FoldedGroupAndFirstMailbox) {
  EXPECT_EQ(domain_of("From: Jane\r\n Doe\r\n\t<jane@folded.test>\r\nTo: x@y\r\n\r\n"), "folded.test");
  EXPECT_EQ(domain_of("From: team: a@first.test, b@second.test;\r\n\r\n"), "first.test");
  EXPECT_EQ(domain_of("From: a@first.test, b@second.test\r\n\r\n"), "first.test");
}

TEST(DkimFrom, OnlyTheHeaderSectionCounts) {
  EXPECT_EQ(domain_of("To: x@y\r\n\r\nFrom: a@body.test\r\n"), "error: no From: header");
  EXPECT_EQ(domain_of("From: a@one.test\r\nFrom: b@two.test\r\n\r\n"), "error: several From: headers");
  EXPECT_EQ(domain_of("From: undisclosed\r\n\r\n"), "error: From: has no domain");
  EXPECT_EQ(domain_of("From: a@[192.0.2.1]\r\n\r\n"), "error: From: domain \"[192.0.2.1]\" is not a host name");
  EXPECT_EQ(domain_of("X-From: a@x.test\r\n\r\n"), "error: no From: header");
}

TEST(DkimNames, CandidatesExactThenParents) {
  EXPECT_EQ(dkim_domain_candidates("a.b.example.com"),
            (std::vector<std::string>{"a.b.example.com", "b.example.com", "example.com", "com"}));
  EXPECT_TRUE(dkim_domain_candidates("").empty());
}

TEST(DkimNames, KeyPathMacros) {
  EXPECT_EQ(*dkim_expand_key_path("/keys/%{d}/%{s}.pem", "example.com", "s1"), "/keys/example.com/s1.pem");
  EXPECT_EQ(*dkim_expand_key_path("/keys/plain.pem", "example.com", "s1"), "/keys/plain.pem");
  EXPECT_EQ(dkim_expand_key_path("/keys/%{x}.pem", "d", "s").error(), "unknown macro %{x} (known: %{d}, %{s})");
  EXPECT_FALSE(dkim_expand_key_path("/keys/%{d", "d", "s"));
}

TEST(DkimNames, HeaderListLowerCasedFromFirstWhenMissing) {
  EXPECT_EQ(*dkim_header_list({"Subject", "To", "subject"}), (std::vector<std::string>{"from", "subject", "to"}));
  EXPECT_EQ(*dkim_header_list({"to", "From"}), (std::vector<std::string>{"to", "from"}));
  EXPECT_FALSE(dkim_header_list({"x.y"}));
  EXPECT_FALSE(dkim_header_list({"a b"}));
}

TEST(DkimKey, KindFromArmourAndAlgorithm) {
  const std::string ed =
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHmrP+oknkScMjwy1HJNSq+EUCb9A/ig7k9qjm2AYjQz\n"
      "-----END PRIVATE KEY-----\n";
  EXPECT_EQ(*dkim_pem_key_kind(ed), DkimKeyKind::kEd25519);
  const std::string rsa8 =
      "-----BEGIN PRIVATE KEY-----\nMIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCSUgN58Qc31AN/\n"
      "-----END PRIVATE KEY-----\n";
  EXPECT_EQ(*dkim_pem_key_kind(rsa8), DkimKeyKind::kRsa);
  const std::string rsa1 =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA8TxsbFMIHGJ3RUcHN6vHSvFJ6rcrRyqoYozkUFa2k/VEX2RH\n"
      "-----END RSA PRIVATE KEY-----\n";
  EXPECT_EQ(*dkim_pem_key_kind(rsa1), DkimKeyKind::kRsa);
  EXPECT_FALSE(dkim_pem_key_kind("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMC4=\n-----END ENCRYPTED PRIVATE KEY-----"));
  EXPECT_FALSE(dkim_pem_key_kind("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----"));
  EXPECT_FALSE(dkim_pem_key_kind("ssh-ed25519 AAAA"));
  EXPECT_EQ(dkim_digest_for(DkimKeyKind::kEd25519), "ed25519-sha256");
  EXPECT_EQ(dkim_digest_for(DkimKeyKind::kRsa), "rsa-sha256");
}

TEST(DkimField, FoldsBecomeCrlfAndTheFieldEndsInCrlf) {
  EXPECT_EQ(*dkim_signature_field("v=1; a=ed25519-sha256;\n\td=example.com; b=abc\n"),
            "DKIM-Signature: v=1; a=ed25519-sha256;\r\n\td=example.com; b=abc\r\n");
  EXPECT_FALSE(dkim_signature_field(""));
  EXPECT_FALSE(dkim_signature_field("v=1;\nd=x"));        // a fold must continue with WSP
  EXPECT_FALSE(dkim_signature_field("v=1; \x01 d=x"));     // control character
  EXPECT_FALSE(dkim_signature_field("v=1; d=\xc3\xa9"));  // 8-bit
}

}  // namespace
}  // namespace impulse::protocol
