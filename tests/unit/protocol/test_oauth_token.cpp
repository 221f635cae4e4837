// Tests for protocol/oauth_token.hpp: the JWT-bearer grant's header, claims
// and form body (RFC 7523), and the token endpoint's answers (RFC 6749
// §5.1 token, §5.2 refusal) as Google's service-account flow gives them.
#include "protocol/oauth_token.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace impulse::protocol;
using Kind = OAuthAnswer::Kind;

TEST(OAuthToken, HeaderClaimsAndForm) {
  EXPECT_EQ(boost::json::parse(jwt_rs256_header("k1")), boost::json::parse(R"({"alg":"RS256","typ":"JWT","kid":"k1"})"));
  EXPECT_EQ(boost::json::parse(jwt_rs256_header("")), boost::json::parse(R"({"alg":"RS256","typ":"JWT"})"));
  EXPECT_EQ(boost::json::parse(jwt_bearer_claims("a@p.iam", kFcmScope, "https://oauth2.googleapis.com/token", 100)),
            boost::json::parse(R"({"iss":"a@p.iam","scope":"https://www.googleapis.com/auth/firebase.messaging",
                                   "aud":"https://oauth2.googleapis.com/token","iat":100,"exp":3700})"));
  EXPECT_EQ(jwt_bearer_form("aa.bb-_.cc"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=aa.bb-_.cc");
}

TEST(OAuthToken, Answers) {
  OAuthAnswer a = parse_oauth_answer(200, R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})");
  EXPECT_EQ(a.kind, Kind::kToken);
  EXPECT_EQ(a.access_token, "ya29.x");
  EXPECT_EQ(a.expires_in, 3599);
  a = parse_oauth_answer(200, R"({"access_token":"ya29.y"})");
  EXPECT_EQ(a.kind, Kind::kToken);
  EXPECT_EQ(a.expires_in, 3600);  // omitted: an hour
  a = parse_oauth_answer(200, R"({"access_token":"has space"})");
  EXPECT_EQ(a.kind, Kind::kFailed);
  EXPECT_EQ(parse_oauth_answer(200, "not json").kind, Kind::kFailed);
  a = parse_oauth_answer(400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})");
  EXPECT_EQ(a.kind, Kind::kRefused);
  EXPECT_EQ(a.text, "400 invalid_grant: Invalid JWT Signature.");
  a = parse_oauth_answer(401, "");
  EXPECT_EQ(a.kind, Kind::kRefused);
  EXPECT_EQ(a.text, "401 Unauthorized");
  a = parse_oauth_answer(503, "<html>");
  EXPECT_EQ(a.kind, Kind::kFailed);
  EXPECT_EQ(a.text, "503 Service Unavailable");
  a = parse_oauth_answer(400, "{\"error\":\"bad\\r\\nline\"}");
  EXPECT_EQ(a.text, "400 bad??line");  // one printable line
}
