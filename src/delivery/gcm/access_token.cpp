// Implementation of delivery/gcm/access_token.hpp.
#include "delivery/gcm/access_token.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/oauth_token.hpp"

namespace impulse::delivery::gcm {

namespace asio = boost::asio;

AccessToken::AccessToken(asio::any_io_executor executor, OAuthSigner signer, Poster poster,
                         std::function<std::int64_t()> now_unix, std::chrono::milliseconds wait_limit)
    : executor_(executor),
      signer_(std::move(signer)),
      poster_(std::move(poster)),
      now_unix_(std::move(now_unix)),
      wait_limit_(wait_limit),
      granted_(executor) {}

bool AccessToken::fresh(std::int64_t now) const { return !token_.empty() && now < renew_at_; }

void AccessToken::invalidate(const std::string& token) {
  if (token == token_) {
    token_.clear();
    renew_at_ = 0;
  }
}

asio::awaitable<TokenResult> AccessToken::get() {
  if (fresh(now_unix_())) co_return TokenResult{TokenResult::Kind::kToken, token_};
  if (granting_) {
    // Another caller's grant is in flight: wait for its answer (deadline: wait_limit_).
    // The granter set the timer's expiry once; waiters only wait on it (setting it
    // again would cancel the other waiters' waits), and the grant's end cancels it.
    const std::uint64_t seq = grant_seq_;
    while (granting_ && grant_seq_ == seq && std::chrono::steady_clock::now() < granted_.expiry())
      co_await granted_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (fresh(now_unix_())) co_return TokenResult{TokenResult::Kind::kToken, token_};
    if (grant_seq_ != seq) co_return last_;
    co_return TokenResult{TokenResult::Kind::kFailed, "no answer from the OAuth token endpoint in time"};
  }
  granting_ = true;
  granted_.expires_after(wait_limit_);  // deadline of the waiters (below)
  const std::int64_t now = now_unix_();
  TokenResult result;
  auto assertion = signer_.assertion(now);
  if (!assertion) {
    result = TokenResult{TokenResult::Kind::kFailed, "cannot sign the OAuth assertion: " + assertion.error()};
  } else {
    ++grants_;
    auto answer = co_await poster_(protocol::jwt_bearer_form(*assertion));
    if (!answer) {
      result = TokenResult{TokenResult::Kind::kFailed, "OAuth token endpoint: " + answer.error()};
    } else {
      const protocol::OAuthAnswer a = protocol::parse_oauth_answer(answer->status, answer->body);
      if (a.kind == protocol::OAuthAnswer::Kind::kToken) {
        token_ = a.access_token;
        renew_at_ = now + std::max<std::int64_t>(a.expires_in - std::min<std::int64_t>(300, a.expires_in / 4), 1);
        result = TokenResult{TokenResult::Kind::kToken, token_};
      } else {
        result = TokenResult{a.kind == protocol::OAuthAnswer::Kind::kRefused ? TokenResult::Kind::kRefused
                                                                            : TokenResult::Kind::kFailed,
                             "OAuth token endpoint: " + a.text};
      }
    }
  }
  last_ = result;
  ++grant_seq_;
  granting_ = false;
  granted_.cancel();
  co_return result;
}

}  // namespace impulse::delivery::gcm
