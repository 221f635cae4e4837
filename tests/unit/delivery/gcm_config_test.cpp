// GCM configuration (SPEC §13): the --check errors for both authentications
// in one scope and for an unreadable or malformed service-account file, the
// warning for a GCM domain without credentials, and GcmSettings read from a
// snapshot (which protocol, GCM_Project_ID over the file's project, the
// request options, verification on unless tls_verify = no).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "delivery/gcm/gcm_settings_config.hpp"

namespace impulse::delivery::gcm {
namespace {

config::ConfigPtr load(const std::string& text) {
  auto r = config::load_config_text(text, "t.conf");
  if (!r) {
    for (const auto& d : r.error()) ADD_FAILURE() << d.str();
    return nullptr;
  }
  return *r;
}

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  auto r = config::load_config_text(text, "t.conf");
  if (!r)
    for (const auto& d : r.error()) out.push_back(d.str());
  return out;
}

class GcmConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gcm_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    account_ = (dir_ / "sa.json").string();
    std::ofstream(account_) << R"({"type":"service_account","project_id":"file-project",
      "private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
      "client_email":"fcm@file-project.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"})";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string domain(const std::string& body) {
    return "domain \"gcm.example.com\" {\n  delivery_method = \"gcm\"\n  routes = (\"gcm://fcm.googleapis.com\")\n" +
           body + "}\n";
  }

  std::filesystem::path dir_;
  std::string account_;
};

TEST_F(GcmConfigTest, SeedStyleDomainWithoutCredentialsIsValidWithAWarning) {
  auto cfg = load(domain(""));
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->warnings().size(), 1u);
  EXPECT_EQ(cfg->warnings()[0].str(),
            "t.conf:2:3: warning: GCM domain \"gcm.example.com\" has no credentials (GCM_Service_Account or "
            "GCM_Authorization_Token_ID): its messages will wait (451 4.7.0 [internal] GCM credentials not "
            "configured)");
}

TEST_F(GcmConfigTest, CredentialsFromAnEnclosingScopeSilenceTheWarning) {
  auto cfg = load("gcm_authorization_token_id = \"AIzaKey\"\n" + domain(""));
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->warnings().empty());
}

TEST_F(GcmConfigTest, BothAuthenticationsInOneScopeIsAnError) {
  auto errors = errors_of(domain("  gcm_service_account = \"" + account_ + "\"\n  gcm_authorization_token_id = \"k\"\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "t.conf:4:3: error: GCM_Service_Account (FCM HTTP v1) and GCM_Authorization_Token_ID (legacy API) are "
            "both set in this scope; choose one");
}

TEST_F(GcmConfigTest, UnreadableOrMalformedServiceAccountIsAnError) {
  const std::string missing = (dir_ / "missing.json").string();
  auto errors = errors_of(domain("  gcm_service_account = \"" + missing + "\"\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "t.conf:4:3: error: GCM_Service_Account \"" + missing + "\": cannot be read");
  std::ofstream(account_) << R"({"type":"service_account","project_id":"p"})";
  errors = errors_of(domain("  gcm_service_account = \"" + account_ + "\"\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "t.conf:4:3: error: GCM_Service_Account \"" + account_ + "\": no \"private_key\"");
}

TEST_F(GcmConfigTest, SettingsForFcmV1) {
  auto cfg = load(domain("  gcm_service_account = \"" + account_ +
                         "\"\n  gcm_ttl = 600\n  gcm_dry_run = true\n  tls_ca = \"/ca.pem\"\n"));
  ASSERT_TRUE(cfg);
  auto s = gcm_settings_from_config(*cfg, config::OutboundKey{"default", "gcm.example.com"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->auth, GcmAuth::kServiceAccount);
  EXPECT_EQ(s->project_id, "file-project");
  EXPECT_EQ(s->account.client_email, "fcm@file-project.iam.gserviceaccount.com");
  EXPECT_EQ(s->request.ttl, 600);
  EXPECT_TRUE(s->request.dry_run);
  EXPECT_TRUE(s->tls.verify);
  EXPECT_EQ(s->tls.ca, "/ca.pem");
}

TEST_F(GcmConfigTest, SettingsForTheLegacyApi) {
  auto cfg = load(domain("  gcm_authorization_token_id = \"AIzaKey\"\n  gcm_application_id = \"com.example\"\n"
                         "  gcm_delay_while_idle = true\n  tls_verify = no\n"));
  ASSERT_TRUE(cfg);
  auto s = gcm_settings_from_config(*cfg, config::OutboundKey{"default", "gcm.example.com"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->auth, GcmAuth::kLegacyKey);
  EXPECT_EQ(s->legacy_key, "AIzaKey");
  EXPECT_EQ(s->http_uri, "/gcm/send");
  EXPECT_EQ(s->request.ttl, -1);
  EXPECT_EQ(s->request.application_id, "com.example");
  EXPECT_TRUE(s->request.delay_while_idle);
  EXPECT_FALSE(s->tls.verify);
}

TEST_F(GcmConfigTest, ProjectIdOptionOverridesTheFile) {
  auto cfg = load(domain("  gcm_service_account = \"" + account_ + "\"\n  gcm_project_id = \"other\"\n"));
  ASSERT_TRUE(cfg);
  auto s = gcm_settings_from_config(*cfg, config::OutboundKey{"default", "gcm.example.com"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->project_id, "other");
}

TEST_F(GcmConfigTest, NoCredentialsGiveNoAuth) {
  auto cfg = load(domain(""));
  ASSERT_TRUE(cfg);
  auto s = gcm_settings_from_config(*cfg, config::OutboundKey{"default", "gcm.example.com"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->auth, GcmAuth::kNone);
}

}  // namespace
}  // namespace impulse::delivery::gcm
