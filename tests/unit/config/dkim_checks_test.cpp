// --check's DKIM errors (config/dkim_checks.hpp; SPEC §19): the key at its
// `key` option (missing, wrong kind, unknown macro), the selector, a
// dkim_domain outside opendkim, headerlist names; ed25519 with simple
// header canonicalization accepted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "unit/config/config_text.hpp"

namespace impulse::config {
namespace {

using namespace testing;

// An Ed25519 PKCS#8 key (a test key, used nowhere else).
constexpr std::string_view kEd25519Pem =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHmrP+oknkScMjwy1HJNSq+EUCb9A/ig7k9qjm2AYjQz\n"
    "-----END PRIVATE KEY-----\n";

class DkimCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("impulse-dkim-check-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "ed.example");
    std::ofstream(dir_ / "ed.example" / "ed.pem") << kEd25519Pem;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DkimCheck, KeyPatternExpandsPerDomainAndKindMustFitTheDigest) {
  const std::string key = (dir_ / "%{d}" / "%{s}.pem").string();
  const std::string ok = "opendkim \"o\" {\n  key = \"" + key +
                         "\"\n  digest = \"ed25519-sha256\"\n  dkim_domain \"ed.example\" { selector = \"ed\" }\n}\n";
  EXPECT_EQ(errors_of(ok), std::vector<std::string>{});
  const std::string missing = "opendkim \"o\" {\n  key = \"" + key +
                              "\"\n  digest = \"ed25519-sha256\"\n  dkim_domain \"other.example\" { selector = \"ed\" }\n}\n";
  EXPECT_EQ(errors_of(missing),
            std::vector<std::string>{"t.conf:2:3: error: key \"" + (dir_ / "other.example" / "ed.pem").string() +
                                     "\" (dkim_domain \"other.example\"): cannot be read: No such file or directory"});
  const std::string rsa = "opendkim \"o\" {\n  key = \"" + key + "\"\n  dkim_domain \"ed.example\" { selector = \"ed\" }\n}\n";
  EXPECT_EQ(errors_of(rsa),
            std::vector<std::string>{"t.conf:2:3: error: key \"" + (dir_ / "ed.example" / "ed.pem").string() +
                                     "\" (dkim_domain \"ed.example\"): holds an Ed25519 key but digest is rsa-sha256"});
}

TEST_F(DkimCheck, SelectorMacroStanzaPlacementHeaderListAndCanon) {
  EXPECT_EQ(errors_of("opendkim \"o\" {\n  key = \"/k/%{x}.pem\"\n  dkim_domain \"a.example\" { }\n}\n"),
            (std::vector<std::string>{"t.conf:2:3: error: key \"/k/%{x}.pem\": unknown macro %{x} (known: %{d}, %{s})",
                                      "t.conf:3:3: error: dkim_domain \"a.example\" has no selector"}));
  EXPECT_EQ(errors_of("webhook \"w\" {\n  dkim_domain \"a.example\" { }\n}\n"),
            std::vector<std::string>{"t.conf:2:3: error: scope 'dkim_domain' is valid only inside an opendkim stanza"});
  EXPECT_EQ(errors_of("opendkim \"o\" {\n  headerlist = ( \"to\" \"bad name\" )\n}\n"),
            std::vector<std::string>{
                "t.conf:2:3: error: headerlist: header name \"bad name\" is not letters, digits, '-' and '_'"});
  const std::string key = (dir_ / "ed.example" / "ed.pem").string();
  // Ed25519 with simple header canonicalization is signed by Impulse itself
  // (dkim/ed25519_signer.hpp) and accepted.
  EXPECT_EQ(errors_of("opendkim \"o\" {\n  header_canon = simple\n  dkim_domain \"ed.example\" {\n    selector = s\n"
                      "    digest = ed25519-sha256\n    key = \"" + key + "\"\n  }\n}\n"),
            std::vector<std::string>{});
}

TEST(DkimOptions, OpendkimSignScopesAndDefaults) {
  EXPECT_EQ(errors_of("opendkim_sign = true\nbinding_group \"g\" { opendkim_sign = false\n"
                      "  binding \"b\" { opendkim_sign = true } }\n"),
            std::vector<std::string>{});
  auto errs = errors_of("domain \"x.example\" { opendkim_sign = true }\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("option 'opendkim_sign' is not valid in domain scope"), std::string::npos) << errs[0];
  auto cfg = load_config_text("", "t.conf");
  ASSERT_TRUE(cfg);
  EXPECT_FALSE((*cfg)->global("opendkim_sign").as_bool());
}

}  // namespace
}  // namespace impulse::config
