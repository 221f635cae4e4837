// Tests for protocol/service_account.hpp: the fields of a Google
// service-account key file, each way one can be wrong, and token_uri.
#include "protocol/service_account.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;

namespace {

std::string account(std::string_view type = "service_account", std::string_view token_uri =
                                                                     "https://oauth2.googleapis.com/token") {
  return R"({"type":")" + std::string(type) + R"(","project_id":"my-project","private_key_id":"k1",
    "private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
    "client_email":"fcm@my-project.iam.gserviceaccount.com","client_id":"1",
    "auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":")" +
         std::string(token_uri) + "\"}";
}

}  // namespace

TEST(ServiceAccount, ReadsTheFields) {
  auto a = parse_service_account(account());
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->type, "service_account");
  EXPECT_EQ(a->project_id, "my-project");
  EXPECT_EQ(a->private_key_id, "k1");
  EXPECT_EQ(a->client_email, "fcm@my-project.iam.gserviceaccount.com");
  EXPECT_TRUE(a->private_key.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_EQ(a->token.scheme, "https");
  EXPECT_EQ(a->token.host, "oauth2.googleapis.com");
  EXPECT_EQ(a->token.port, 443);
  EXPECT_EQ(a->token.path, "/token");
}

TEST(ServiceAccount, ClearErrors) {
  const std::pair<std::string, std::string> rows[] = {
      {"{", "not valid JSON"},
      {"[]", "not a JSON object"},
      {account("authorized_user"), "\"type\" is \"authorized_user\", not \"service_account\""},
      {R"({"type":"service_account"})", "no \"project_id\""},
      {R"({"type":"service_account","project_id":"p","private_key":"x","client_email":"a@b","token_uri":"https://h/t"})",
       "\"private_key\" is not a PEM private key"},
      {R"({"type":"service_account","project_id":7})", "\"project_id\" is not a string"},
      {R"({"type":"service_account","project_id":" "})", "\"project_id\" is empty"},
      {account("service_account", "ftp://h/token"), "\"token_uri\" is not an https URL"},
      {account("service_account", "https://h:99999/token"), "bad port"},
      {account("service_account", "https:///token"), "no host"},
  };
  for (const auto& [text, why] : rows) {
    auto a = parse_service_account(text);
    ASSERT_FALSE(a) << text;
    EXPECT_NE(a.error().find(why), std::string::npos) << a.error();
  }
}

TEST(ServiceAccount, TokenUriForms) {
  auto t = parse_token_uri("https://127.0.0.1:8443/oauth/token?x=1");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8443);
  EXPECT_EQ(t->path, "/oauth/token?x=1");
  t = parse_token_uri("https://[::1]:9000");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 9000);
  EXPECT_EQ(t->path, "/");
  t = parse_token_uri("http://localhost/token");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->port, 80);
  EXPECT_FALSE(parse_token_uri("https://user@h/token"));
  EXPECT_FALSE(parse_token_uri("https://h:/token"));
}
