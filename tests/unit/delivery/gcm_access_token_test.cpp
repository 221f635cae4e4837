// delivery/gcm: the OAuth2 JWT-bearer grant and the access token cache
// (SPEC §13 "FCM HTTP v1"): the RS256 assertion verifies with the service
// account's public key and carries iss/scope/aud/iat/exp; one grant serves
// many callers, concurrent callers share the one grant in flight, the token
// is renewed before it expires and after invalidate(); refusals and
// failures come back as values. A fake Poster stands in for the token
// endpoint (the real exchange is covered by tests/integration/test_gcm.py).
// Across loops (CrossLoopTokenTest): two io_contexts on two threads, the
// grant on the owner's; callers on both wait for the one grant in flight,
// share its answer or error, are resumed on their own executor, and a
// waiter's deadline (wait_limit) ends its wait when the grant hangs.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <thread>

#include "delivery/gcm/access_token.hpp"
#include "delivery/gcm/oauth_signer.hpp"
#include "protocol/base64url.hpp"

namespace impulse::delivery::gcm {
namespace {

namespace asio = boost::asio;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> mem(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(mem.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string base64url_decode(std::string_view s) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) return {};
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  return out;
}

std::string form_value(const std::string& form, std::string_view name) {
  const std::string key = std::string(name) + "=";
  const auto at = form.find(key);
  if (at == std::string::npos) return {};
  const auto end = form.find('&', at);
  return form.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
}

class AccessTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_.reset(EVP_RSA_gen(2048));
    ASSERT_TRUE(key_);
    account_.type = "service_account";
    account_.project_id = "p";
    account_.private_key = pem_of(key_.get());
    account_.private_key_id = "kid-1";
    account_.client_email = "fcm@p.iam.gserviceaccount.com";
    account_.token_uri = "https://oauth2.example/token";
  }

  std::shared_ptr<AccessToken> make(Poster poster) {
    auto signer = OAuthSigner::load(account_);
    EXPECT_TRUE(signer) << signer.error();
    return std::make_shared<AccessToken>(io_.get_executor(), std::move(*signer), std::move(poster),
                                         [this] { return now_; }, std::chrono::seconds(5));
  }

  // A poster answering 200 with token "t<n>" valid `lifetime` s, after `delay`.
  Poster granting(std::int64_t lifetime, std::chrono::milliseconds delay = {}) {
    return [this, lifetime, delay](std::string form) -> asio::awaitable<impulse::expected<PostAnswer, std::string>> {
      forms_.push_back(form);
      asio::steady_timer t(io_);
      t.expires_after(delay);
      co_await t.async_wait(asio::use_awaitable);
      co_return PostAnswer{200, R"({"access_token":"t)" + std::to_string(forms_.size()) + R"(","expires_in":)" +
                                    std::to_string(lifetime) + R"(,"token_type":"Bearer"})"};
    };
  }

  TokenResult get(const std::shared_ptr<AccessToken>& token) {
    TokenResult out;
    asio::co_spawn(io_, [&]() -> asio::awaitable<void> { out = co_await token->get(); }, asio::detached);
    io_.restart();
    io_.run();
    return out;
  }

  Pkey key_{nullptr, EVP_PKEY_free};
  protocol::ServiceAccount account_;
  asio::io_context io_;
  std::int64_t now_ = 1'800'000'000;
  std::vector<std::string> forms_;
};

TEST_F(AccessTokenTest, TheAssertionIsAnRs256JwtTheServiceAccountKeyVerifies) {
  auto token = make(granting(3600));
  ASSERT_EQ(get(token).value, "t1");
  ASSERT_EQ(forms_.size(), 1u);
  EXPECT_EQ(form_value(forms_[0], "grant_type"), "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
  const std::string jwt = form_value(forms_[0], "assertion");
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.rfind('.');
  ASSERT_NE(dot1, dot2);
  const auto header = boost::json::parse(base64url_decode(jwt.substr(0, dot1)));
  const auto claims = boost::json::parse(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(header, boost::json::parse(R"({"alg":"RS256","typ":"JWT","kid":"kid-1"})"));
  EXPECT_EQ(claims, boost::json::parse(R"({"iss":"fcm@p.iam.gserviceaccount.com",
      "scope":"https://www.googleapis.com/auth/firebase.messaging","aud":"https://oauth2.example/token",
      "iat":1800000000,"exp":1800003600})"));
  const std::string signature = base64url_decode(jwt.substr(dot2 + 1));
  EXPECT_EQ(signature.size(), 256u);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()), 1);
  const std::string input = jwt.substr(0, dot2);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  // The signature covers the claims: another input does not verify.
  ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get());
  const std::string other = input + "x";
  EXPECT_NE(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(other.data()), other.size()),
            1);
  EVP_MD_CTX_free(ctx);
}

TEST_F(AccessTokenTest, OneGrantServesManyCallersUntilRenewalIsDue) {
  auto token = make(granting(3600));
  EXPECT_EQ(get(token).value, "t1");
  now_ += 3000;
  EXPECT_EQ(get(token).value, "t1");
  EXPECT_EQ(token->grants(), 1u);
  now_ += 300;  // 3300 s: 300 s before the end, renewed
  EXPECT_EQ(get(token).value, "t2");
  EXPECT_EQ(token->grants(), 2u);
}

TEST_F(AccessTokenTest, ShortLivedTokensAreRenewedAQuarterBeforeTheEnd) {
  auto token = make(granting(60));
  EXPECT_EQ(get(token).value, "t1");
  now_ += 44;
  EXPECT_EQ(get(token).value, "t1");
  now_ += 1;
  EXPECT_EQ(get(token).value, "t2");
}

TEST_F(AccessTokenTest, ConcurrentCallersShareTheOneGrantInFlight) {
  auto token = make(granting(3600, std::chrono::milliseconds(50)));
  std::vector<TokenResult> results(5);
  for (auto& r : results)
    asio::co_spawn(io_, [&r, token]() -> asio::awaitable<void> { r = co_await token->get(); }, asio::detached);
  io_.run();
  EXPECT_EQ(forms_.size(), 1u);
  for (const auto& r : results) {
    EXPECT_EQ(r.kind, TokenResult::Kind::kToken);
    EXPECT_EQ(r.value, "t1");
  }
}

TEST_F(AccessTokenTest, InvalidateForgetsOnlyTheTokenRefused) {
  auto token = make(granting(3600));
  EXPECT_EQ(get(token).value, "t1");
  token->invalidate("stale");  // not the current one: kept
  EXPECT_EQ(get(token).value, "t1");
  token->invalidate("t1");
  EXPECT_EQ(get(token).value, "t2");
}

TEST_F(AccessTokenTest, RefusalsAndFailuresAreValues) {
  auto refused = make([](std::string) -> asio::awaitable<impulse::expected<PostAnswer, std::string>> {
    co_return PostAnswer{400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"};
  });
  TokenResult r = get(refused);
  EXPECT_EQ(r.kind, TokenResult::Kind::kRefused);
  EXPECT_EQ(r.value, "OAuth token endpoint: 400 invalid_grant: Invalid JWT Signature.");
  auto down = make([](std::string) -> asio::awaitable<impulse::expected<PostAnswer, std::string>> {
    co_return impulse::unexpected(std::string("connect: connection refused"));
  });
  r = get(down);
  EXPECT_EQ(r.kind, TokenResult::Kind::kFailed);
  EXPECT_EQ(r.value, "OAuth token endpoint: connect: connection refused");
  auto busy = make([](std::string) -> asio::awaitable<impulse::expected<PostAnswer, std::string>> {
    co_return PostAnswer{503, ""};
  });
  r = get(busy);
  EXPECT_EQ(r.kind, TokenResult::Kind::kFailed);
  EXPECT_EQ(r.value, "OAuth token endpoint: 503 Service Unavailable");
}

TEST_F(AccessTokenTest, LoadRefusesKeysThatCannotSignRs256) {
  protocol::ServiceAccount bad = account_;
  bad.private_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  auto r = OAuthSigner::load(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not a PEM private key"), std::string::npos) << r.error();
  Pkey ec(EVP_EC_gen("P-256"), EVP_PKEY_free);
  bad.private_key = pem_of(ec.get());
  r = OAuthSigner::load(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not an RSA key"), std::string::npos) << r.error();
}

// ---- across event loops ----

// Two event loops on two threads: `owner` runs the grants (the token's
// executor), `other` is another loop of the daemon.
class CrossLoopTokenTest : public AccessTokenTest {
 protected:
  struct Got {
    TokenResult result;
    bool own_executor = false;  // resumed on the loop it asked from
    std::chrono::steady_clock::time_point at;
  };

  void SetUp() override {
    AccessTokenTest::SetUp();
    threads_.emplace_back([this] { owner_.run(); });
    threads_.emplace_back([this] { other_.run(); });
  }
  void TearDown() override {
    asio::post(owner_, [this] { gate_.cancel(); });  // a poster still waiting ends
    owner_guard_.reset();
    other_guard_.reset();
    for (auto& t : threads_) t.join();
  }

  std::shared_ptr<AccessToken> make_owned(Poster poster, std::chrono::milliseconds wait_limit) {
    auto signer = OAuthSigner::load(account_);
    EXPECT_TRUE(signer) << signer.error();
    return std::make_shared<AccessToken>(owner_.get_executor(), std::move(*signer), std::move(poster),
                                         [this] { return now_; }, wait_limit);
  }

  // A poster that says it is in flight, then waits for the gate (cancelled
  // by open_gate(), on the owner loop) and answers with `answer`.
  Poster gated(std::function<impulse::expected<PostAnswer, std::string>()> answer) {
    return [this, answer](std::string form) -> asio::awaitable<impulse::expected<PostAnswer, std::string>> {
      on_owner_thread_ = owner_.get_executor().running_in_this_thread();
      forms_.push_back(form);
      if (!told_in_flight_) {  // a second grant would be a failure the counts show
        told_in_flight_ = true;
        in_flight_.set_value();
      }
      co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return answer();
    };
  }
  void open_gate() {
    asio::post(owner_, [this] { gate_.cancel(); });
  }

  // get() from a coroutine on `loop`; returns once the caller has asked
  // (it is past its first suspension: registered as a waiter, or granting).
  std::future<Got> ask(asio::io_context& loop, const std::shared_ptr<AccessToken>& token) {
    auto promise = std::make_shared<std::promise<Got>>();
    std::future<Got> got = promise->get_future();
    asio::co_spawn(loop, [&loop, token, promise]() -> asio::awaitable<void> {
      Got g;
      g.result = co_await token->get();
      g.own_executor = loop.get_executor().running_in_this_thread();
      g.at = std::chrono::steady_clock::now();
      promise->set_value(std::move(g));
    }, asio::detached);
    std::promise<void> asked;
    asio::post(loop, [&asked] { asked.set_value(); });  // after the caller's first step (FIFO)
    asked.get_future().wait();
    return got;
  }

  static Got take(std::future<Got>& f) {
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  asio::io_context owner_;
  asio::io_context other_;
  asio::executor_work_guard<asio::io_context::executor_type> owner_guard_{owner_.get_executor()};
  asio::executor_work_guard<asio::io_context::executor_type> other_guard_{other_.get_executor()};
  asio::steady_timer gate_{owner_, std::chrono::seconds(60)};
  std::promise<void> in_flight_;
  bool told_in_flight_ = false;  // owner loop only
  bool on_owner_thread_ = false;
  std::vector<std::thread> threads_;
};

TEST_F(CrossLoopTokenTest, CallersOnTwoLoopsShareOneGrantEachResumedOnItsOwnLoop) {
  auto token = make_owned(gated([] {
    return PostAnswer{200, R"({"access_token":"t1","expires_in":3600,"token_type":"Bearer"})"};
  }), std::chrono::seconds(5));
  // The first caller is on the other loop: the grant runs on the owner's.
  auto first = ask(other_, token);
  ASSERT_EQ(in_flight_.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto on_owner = ask(owner_, token);
  auto on_other = ask(other_, token);
  open_gate();
  for (auto* f : {&first, &on_owner, &on_other}) {
    const Got g = take(*f);
    EXPECT_EQ(g.result.kind, TokenResult::Kind::kToken);
    EXPECT_EQ(g.result.value, "t1");
    EXPECT_TRUE(g.own_executor);
  }
  EXPECT_TRUE(on_owner_thread_);
  EXPECT_EQ(forms_.size(), 1u);
  EXPECT_EQ(token->grants(), 1u);
  // Then cached: asked again from both loops, no second grant.
  auto again_other = ask(other_, token);
  auto again_owner = ask(owner_, token);
  EXPECT_EQ(take(again_other).result.value, "t1");
  EXPECT_EQ(take(again_owner).result.value, "t1");
  EXPECT_EQ(token->grants(), 1u);
}

TEST_F(CrossLoopTokenTest, AFailedGrantWakesEveryWaiterWithItsError) {
  auto token = make_owned(gated([] { return PostAnswer{503, ""}; }), std::chrono::seconds(5));
  auto first = ask(owner_, token);
  ASSERT_EQ(in_flight_.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto on_other = ask(other_, token);
  auto on_owner = ask(owner_, token);
  open_gate();
  for (auto* f : {&first, &on_other, &on_owner}) {
    const Got g = take(*f);
    EXPECT_EQ(g.result.kind, TokenResult::Kind::kFailed);
    EXPECT_EQ(g.result.value, "OAuth token endpoint: 503 Service Unavailable");
    EXPECT_TRUE(g.own_executor);
  }
  EXPECT_EQ(token->grants(), 1u);
}

TEST_F(CrossLoopTokenTest, AWaitersDeadlineEndsItsWaitWhenTheGrantHangs) {
  const auto wait_limit = std::chrono::milliseconds(200);
  auto token = make_owned(gated([]() -> impulse::expected<PostAnswer, std::string> {
    return impulse::unexpected(std::string("no answer in time"));
  }), wait_limit);
  auto granter = ask(other_, token);
  ASSERT_EQ(in_flight_.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const auto asked = std::chrono::steady_clock::now();
  auto on_owner = ask(owner_, token);
  auto on_other = ask(other_, token);
  for (auto* f : {&on_owner, &on_other}) {
    const Got g = take(*f);
    EXPECT_EQ(g.result.kind, TokenResult::Kind::kFailed);
    EXPECT_EQ(g.result.value, "no answer from the OAuth token endpoint in time");
    EXPECT_TRUE(g.own_executor);
    EXPECT_GE(g.at - asked, wait_limit);
  }
  // The grant itself is still in flight (its Poster keeps its own deadlines).
  EXPECT_EQ(granter.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  open_gate();
  const Got g = take(granter);
  EXPECT_EQ(g.result.kind, TokenResult::Kind::kFailed);
  EXPECT_EQ(g.result.value, "OAuth token endpoint: no answer in time");
  EXPECT_TRUE(g.own_executor);
  EXPECT_EQ(token->grants(), 1u);
}

}  // namespace
}  // namespace impulse::delivery::gcm
