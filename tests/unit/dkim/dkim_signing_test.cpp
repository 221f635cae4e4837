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

#include "config/config.hpp"
#include "dkim/dkim_signing.hpp"

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

}  // namespace
}  // namespace impulse::dkim
