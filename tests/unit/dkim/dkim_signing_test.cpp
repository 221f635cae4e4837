// DkimSigning (dkim/dkim_signing.hpp; SPEC §19): which mail is signed
// (opendkim_sign per binding, the dkim_domain's own value winning), the
// signing domain from From: (exact, then parents), the paniclog text for a
// message without From:, a new signer after a reload, and a start-up error
// for a key that will not load. Signatures' validity is checked against
// OpenDKIM's and dkimpy's verifiers in tests/integration/test_dkim.py.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <regex>

#include "config/config.hpp"
#include "dkim/dkim_signer.hpp"
#include "dkim/dkim_signing.hpp"
#include "protocol/dkim_canon.hpp"

namespace impulse::dkim {
namespace {

void write_key(const std::filesystem::path& path, const char* type, unsigned bits) {
  EVP_PKEY* key = bits ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(bits))
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  ASSERT_NE(key, nullptr);
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::fclose(f);
  EVP_PKEY_free(key);
}

class DkimSigningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("impulse-dkim-unit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    write_key(dir_ / "rsa.pem", "RSA", 1024);
    write_key(dir_ / "ed.pem", "ED25519", 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  config::ConfigPtr load(const std::string& text) {
    auto c = config::load_config_text(text, "t.conf");
    EXPECT_TRUE(c) << (c ? "" : c.error().front().str());
    return c ? *c : nullptr;
  }
  std::string stanza(const std::string& global, const std::string& domains) {
    return global + "\nopendkim \"o\" {\n  key = \"" + (dir_ / "%{s}.pem").string() + "\"\n" + domains + "}\n";
  }
  std::unique_ptr<DkimSigning> signing() {
    auto s = DkimSigning::create([this] { return current_; });
    EXPECT_TRUE(s) << (s ? "" : s.error());
    return s ? std::move(*s) : nullptr;
  }

  static std::filesystem::path dir_;
  config::ConfigPtr current_;
};
std::filesystem::path DkimSigningTest::dir_;

const std::string kMessage =
    "From: Jane <jane@mail.sub.example.com>\r\nTo: x@y.test\r\nSubject: hi\r\nDate: Sun, 06 Dec 2026 12:00:00 "
    "+0000\r\n\r\nbody\r\n";

TEST_F(DkimSigningTest, SignsAsTheClosestParentDomainWithItsSelectorAndDigest) {
  current_ = load(stanza("opendkim_sign = true",
                         "  dkim_domain \"example.com\" { selector = rsa }\n"
                         "  dkim_domain \"sub.example.com\" { selector = ed\n    digest = ed25519-sha256 }\n"));
  auto s = signing();
  auto sig = s->sign("ID1", "default", kMessage);
  EXPECT_EQ(sig.problem, "");
  ASSERT_TRUE(sig.field.starts_with("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=sub.example.com;"))
      << sig.field;
  EXPECT_NE(sig.field.find("\r\n\ts=ed;"), std::string::npos) << sig.field;
  EXPECT_TRUE(sig.field.ends_with("\r\n"));
  EXPECT_EQ(sig.field.find('\n'), sig.field.find("\r\n") + 1);  // folds are CRLF
  // The default header list, those present signed, From over-signed (named once more, last).
  EXPECT_NE(sig.field.find("h=From:To:Subject:Date:from;"), std::string::npos) << sig.field;
  auto other = s->sign("ID2", "default", "From: a@example.com\r\nDate: x\r\n\r\nb\r\n");
  EXPECT_NE(other.field.find("a=rsa-sha256;"), std::string::npos) << other.field;
  EXPECT_NE(other.field.find("d=example.com;"), std::string::npos) << other.field;
  EXPECT_EQ(s->sign("ID3", "default", "From: a@example.org\r\n\r\nb\r\n").field, "");  // no dkim_domain
}

TEST_F(DkimSigningTest, OpendkimSignPerBindingAndTheDomainStanzaWins) {
  current_ = load(stanza("opendkim_sign = false\nbinding \"b\" { opendkim_sign = true }",
                         "  dkim_domain \"example.com\" { selector = rsa }\n"
                         "  dkim_domain \"no.example.com\" { selector = rsa\n    opendkim_sign = false }\n"
                         "  dkim_domain \"yes.example.com\" { selector = rsa\n    opendkim_sign = true }\n"));
  auto s = signing();
  EXPECT_EQ(s->sign("ID", "default", "From: a@example.com\r\n\r\nb\r\n").field, "");
  EXPECT_NE(s->sign("ID", "b", "From: a@example.com\r\n\r\nb\r\n").field, "");
  EXPECT_EQ(s->sign("ID", "b", "From: a@no.example.com\r\n\r\nb\r\n").field, "");
  EXPECT_NE(s->sign("ID", "default", "From: a@yes.example.com\r\n\r\nb\r\n").field, "");
}

TEST_F(DkimSigningTest, NoFromIsAProblemOnlyWhereSigningIsOn) {
  current_ = load(stanza("binding \"b\" { opendkim_sign = true }", "  dkim_domain \"example.com\" { selector = rsa }\n"));
  auto s = signing();
  auto sig = s->sign("ID9", "b", "To: x@y.test\r\n\r\nb\r\n");
  EXPECT_EQ(sig.field, "");
  EXPECT_EQ(sig.problem, "ID9: DKIM: no From: header; accepted unsigned");
  EXPECT_EQ(s->sign("ID9", "default", "To: x@y.test\r\n\r\nb\r\n").problem, "");
}

TEST_F(DkimSigningTest, AReloadedConfigurationIsUsedFromTheNextMessageOn) {
  current_ = load(stanza("opendkim_sign = true", "  dkim_domain \"example.com\" { selector = rsa }\n"));
  auto s = signing();
  EXPECT_NE(s->sign("ID", "default", kMessage).field.find("s=rsa;"), std::string::npos);
  current_ = load(stanza("opendkim_sign = true",
                         "  dkim_domain \"example.com\" { selector = ed\n    digest = ed25519-sha256 }\n"));
  EXPECT_NE(s->sign("ID", "default", kMessage).field.find("s=ed;"), std::string::npos);
  current_ = load("opendkim_sign = true\n");
  EXPECT_EQ(s->sign("ID", "default", kMessage).field, "");
}

TEST_F(DkimSigningTest, AKeyThatWillNotLoadIsAStartUpError) {
  // --check reads the file; here it vanished after the load.
  const auto key = dir_ / "gone.pem";
  std::filesystem::copy_file(dir_ / "rsa.pem", key, std::filesystem::copy_options::overwrite_existing);
  current_ = load("opendkim \"o\" {\n  dkim_domain \"example.com\" { selector = s\n    key = \"" + key.string() +
                  "\" }\n}\n");
  std::filesystem::remove(key);
  auto s = DkimSigning::create([this] { return current_; });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "dkim_domain \"example.com\": DKIM key \"" + key.string() + "\" cannot be read");
}

// The tag `name`'s value in a DKIM-Signature field, folds and spaces removed.
std::string tag(const std::string& field, const std::string& name) {
  const std::string flat = std::regex_replace(field, std::regex("[ \t\r\n]"), "");
  std::smatch m;
  if (!std::regex_search(flat, m, std::regex("[:;]" + name + "=([^;]*)"))) return "(no " + name + "=)";
  return m[1];
}

DomainSettings domain_setting(std::string domain, std::string key, Digest digest, Canon header, Canon body) {
  DomainSettings d;
  d.domain = std::move(domain);
  d.selector = "s";
  d.key_path = std::move(key);
  d.digest = digest;
  d.header_canon = header;
  d.body_canon = body;
  d.headers = {"from", "to", "subject", "date"};
  return d;
}

const std::string kBodyCases =
    "From: Jane <jane@example.com>\r\nTo: x@y.test\r\nSubject: a\r\n folded  one\r\n\r\n"
    "  lead and trail \t\r\n\r\nmid\t\ttabs\r\n\r\n\r\n";

// The body hash is the same whichever algorithm signs: Impulse's own
// canonicalization (Ed25519) must give libopendkim's bh= (RSA) for both
// body canonicalizations.
TEST_F(DkimSigningTest, Ed25519BodyHashIsLibopendkimsForTheSameBody) {
  for (Canon body : {Canon::kRelaxed, Canon::kSimple}) {
    DkimSettings settings;
    settings.domains.push_back(domain_setting("rsa.test", (dir_ / "rsa.pem").string(), Digest::kRsaSha256,
                                              Canon::kRelaxed, body));
    settings.domains.push_back(domain_setting("ed.test", (dir_ / "ed.pem").string(), Digest::kEd25519Sha256,
                                              Canon::kRelaxed, body));
    auto signer = DkimSigner::create(settings);
    ASSERT_TRUE(signer) << signer.error();
    auto rsa = (*signer)->sign((*signer)->settings().domains[0], "ID", kBodyCases);
    auto ed = (*signer)->sign((*signer)->settings().domains[1], "ID", kBodyCases);
    ASSERT_TRUE(rsa) << rsa.error();
    ASSERT_TRUE(ed) << ed.error();
    EXPECT_EQ(tag(*ed, "bh"), tag(*rsa, "bh")) << *ed << *rsa;
    EXPECT_EQ(tag(*ed, "a"), "ed25519-sha256");
    EXPECT_EQ(tag(*ed, "c"), std::string("relaxed/") + (body == Canon::kSimple ? "simple" : "relaxed"));
    EXPECT_EQ(tag(*ed, "h"), "From:To:Subject:from");
  }
}

// b= is Ed25519 over SHA-256 of the selected header fields and the
// signature field without its b= value (RFC 8463 §3), checked with the
// public half of the key; a changed Subject no longer verifies.
TEST_F(DkimSigningTest, Ed25519SignatureVerifiesWithThePublicKey) {
  for (Canon header : {Canon::kRelaxed, Canon::kSimple}) {
    DkimSettings settings;
    settings.domains.push_back(domain_setting("ed.test", (dir_ / "ed.pem").string(), Digest::kEd25519Sha256,
                                              header, Canon::kSimple));
    auto signer = DkimSigner::create(settings);
    ASSERT_TRUE(signer) << signer.error();
    auto field = (*signer)->sign((*signer)->settings().domains[0], "ID", kBodyCases);
    ASSERT_TRUE(field) << field.error();
    ASSERT_EQ(field->substr(field->size() - 2), "\r\n");
    for (std::size_t at = 0, next; (next = field->find("\r\n", at)) != std::string::npos; at = next + 2)
      EXPECT_LE(next - at, 78u) << *field;

    const std::string field_text = field->substr(0, field->size() - 2);
    const std::size_t b = field_text.rfind("b=");
    ASSERT_NE(b, std::string::npos);
    std::string b64 = std::regex_replace(field_text.substr(b + 2), std::regex("[ \t\r\n]"), "");
    std::string signature(64, '\0');
    ASSERT_EQ(EVP_DecodeBlock(reinterpret_cast<unsigned char*>(signature.data()),
                              reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size())),
              66);  // 64 bytes and two of padding
    signature.resize(64);

    FILE* f = std::fopen((dir_ / "ed.pem").c_str(), "r");
    ASSERT_NE(f, nullptr);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr),
                                                           EVP_PKEY_free);
    std::fclose(f);
    ASSERT_TRUE(key);
    auto verifies = [&](const std::string& message) {
      auto parts = protocol::split_dkim_message(message);
      std::string hashed;
      for (const auto* h : protocol::select_dkim_headers(parts, {"from", "to", "subject", "from"}))
        hashed += protocol::canonical_dkim_header(h->field, header);
      std::string own = protocol::canonical_dkim_header(field_text.substr(0, b + 2), header);
      hashed += own.substr(0, own.size() - 2);
      unsigned char digest[32];
      EVP_Digest(hashed.data(), hashed.size(), digest, nullptr, EVP_sha256(), nullptr);
      std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
      return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
             EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), 64, digest,
                              32) == 1;
    };
    EXPECT_TRUE(verifies(kBodyCases)) << *field;
    std::string changed = kBodyCases;
    changed.replace(changed.find("Subject: a"), 10, "Subject: b");
    EXPECT_FALSE(verifies(changed));
  }
}

}  // namespace
}  // namespace impulse::dkim
