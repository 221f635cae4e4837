// Who may use an HTTP route: Relay_Hosts (403), API_Keys bearer tokens
// (401 with WWW-Authenticate), public routes; and the readiness query's
// spool checks.
#include "inbound/http/http_access.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>

#include "inbound/http/readiness.hpp"
#include "spool/memory_store.hpp"

namespace impulse::inbound::http {
namespace {

config::IpAddress ip(const char* text) { return config::parse_cidr(text)->network; }

HttpListenerSettings settings(std::vector<std::string> keys = {}) {
  HttpListenerSettings s;
  s.relay_hosts = default_http_relay_hosts();
  s.api_keys = std::move(keys);
  return s;
}

Request request(std::string authorization = "") {
  Request req{beast_http::verb::post, "/api/v1/messages", 11};
  if (!authorization.empty()) req.set(beast_http::field::authorization, authorization);
  return req;
}

std::string error_of(const Response& res) { return std::string(boost::json::parse(res.body()).at("error").as_string()); }

TEST(HttpAccess, BearerTokenParsing) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("  bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("Basic YWJj"), "");
  EXPECT_EQ(bearer_token("Bearerabc"), "");
  EXPECT_EQ(bearer_token(""), "");
}

TEST(HttpAccess, DefaultRelayHostsAreLoopbackOnly) {
  const auto s = settings();
  EXPECT_TRUE(peer_allowed(s, ip("127.0.0.1")));
  EXPECT_TRUE(peer_allowed(s, ip("127.3.4.5")));
  EXPECT_TRUE(peer_allowed(s, ip("::1")));
  EXPECT_FALSE(peer_allowed(s, ip("10.0.0.1")));
  EXPECT_FALSE(peer_allowed(s, ip("::2")));
}

TEST(HttpAccess, OutsideRelayHostsIs403EvenWithAKeyButPublicRoutesAreOpen) {
  const auto s = settings({"k1"});
  auto denied = check_access(Access::kApiKey, s, ip("192.0.2.7"), request("Bearer k1"));
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->result(), beast_http::status::forbidden);
  EXPECT_EQ(error_of(*denied), "client 192.0.2.7 is not in Relay_Hosts");
  EXPECT_TRUE(check_access(Access::kRelayHostsOnly, s, ip("192.0.2.7"), request()).has_value());
  EXPECT_FALSE(check_access(Access::kPublic, s, ip("192.0.2.7"), request()).has_value());
}

TEST(HttpAccess, ApiKeysNeedAMatchingBearerToken) {
  const auto s = settings({"k1", "second-key"});
  auto missing = check_access(Access::kApiKey, s, ip("127.0.0.1"), request());
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->result(), beast_http::status::unauthorized);
  EXPECT_EQ((*missing)[beast_http::field::www_authenticate], "Bearer");
  EXPECT_EQ(error_of(*missing), "missing API key (Authorization: Bearer <key>)");
  auto wrong = check_access(Access::kApiKey, s, ip("127.0.0.1"), request("Bearer k2"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(error_of(*wrong), "wrong API key");
  EXPECT_TRUE(check_access(Access::kApiKey, s, ip("127.0.0.1"), request("Bearer k")).has_value());
  EXPECT_FALSE(check_access(Access::kApiKey, s, ip("127.0.0.1"), request("Bearer k1")).has_value());
  EXPECT_FALSE(check_access(Access::kApiKey, s, ip("::1"), request("bearer second-key")).has_value());
  // Relay_Hosts-only routes ignore keys
  EXPECT_FALSE(check_access(Access::kRelayHostsOnly, s, ip("127.0.0.1"), request()).has_value());
}

TEST(HttpAccess, WithoutApiKeysRelayHostsSuffice) {
  EXPECT_FALSE(check_access(Access::kApiKey, settings(), ip("127.0.0.1"), request()).has_value());
}

TEST(SpoolReadiness, NotReadyWhenTheSpoolDirectoryIsMissingReadyWhenWritable) {
  spool::MemoryStore store;
  SpoolReadiness missing(store, "/nonexistent/impulse-spool-for-test");
  auto why = missing.check();
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("not writable"), std::string::npos) << *why;

  const auto dir = std::filesystem::temp_directory_path() / ("impulse-readiness-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SpoolReadiness ok(store, dir.string());
  EXPECT_EQ(ok.check(), std::nullopt);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace impulse::inbound::http
