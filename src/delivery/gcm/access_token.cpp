// Implementation of delivery/gcm/access_token.hpp.
#include "delivery/gcm/access_token.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
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
      wait_limit_(wait_limit) {}

bool AccessToken::fresh(std::int64_t now) const { return !token_.empty() && now < renew_at_; }

std::uint64_t AccessToken::grants() const {
  std::lock_guard lock(mutex_);
  return grants_;
}

void AccessToken::invalidate(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (token == token_) {
    token_.clear();
    renew_at_ = 0;
  }
}

asio::awaitable<TokenResult> AccessToken::get() {
  const std::int64_t now = now_unix_();
  std::shared_ptr<asio::steady_timer> timer;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    if (fresh(now)) co_return TokenResult{TokenResult::Kind::kToken, token_};
    seq = grant_seq_;
    if (granting_) {
      // Another caller's grant is in flight (maybe on another loop): wait on a
      // timer of our own executor (deadline: wait_limit_); the grant's end
      // cancels it through a post to that executor.
      auto executor = co_await asio::this_coro::executor;
      timer = std::make_shared<asio::steady_timer>(executor, wait_limit_);
      waiters_.push_back(Waiter{executor, timer});
    } else {
      granting_ = true;
    }
  }
  if (!timer) {
    // The grant runs on the owner loop (the Poster's I/O lives there); this
    // caller resumes on its own executor when it ends.
    co_return co_await asio::co_spawn(executor_, grant(now), asio::use_awaitable);
  }
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  std::lock_guard lock(mutex_);
  if (fresh(now_unix_())) co_return TokenResult{TokenResult::Kind::kToken, token_};
  if (grant_seq_ != seq) co_return last_;
  co_return TokenResult{TokenResult::Kind::kFailed, "no answer from the OAuth token endpoint in time"};
}

asio::awaitable<TokenResult> AccessToken::grant(std::int64_t now) {
  auto self = shared_from_this();  // the grant in flight keeps the token
  auto assertion = signer_.assertion(now);
  if (!assertion) {
    TokenResult result{TokenResult::Kind::kFailed, "cannot sign the OAuth assertion: " + assertion.error()};
    finish(result, {}, 0);
    co_return result;
  }
  {
    std::lock_guard lock(mutex_);
    ++grants_;
  }
  auto answer = co_await poster_(protocol::jwt_bearer_form(*assertion));
  TokenResult result;
  std::string token;
  std::int64_t renew_at = 0;
  if (!answer) {
    result = TokenResult{TokenResult::Kind::kFailed, "OAuth token endpoint: " + answer.error()};
  } else {
    const protocol::OAuthAnswer a = protocol::parse_oauth_answer(answer->status, answer->body);
    if (a.kind == protocol::OAuthAnswer::Kind::kToken) {
      token = a.access_token;
      renew_at = now + std::max<std::int64_t>(a.expires_in - std::min<std::int64_t>(300, a.expires_in / 4), 1);
      result = TokenResult{TokenResult::Kind::kToken, token};
    } else {
      result = TokenResult{a.kind == protocol::OAuthAnswer::Kind::kRefused ? TokenResult::Kind::kRefused
                                                                          : TokenResult::Kind::kFailed,
                           "OAuth token endpoint: " + a.text};
    }
  }
  finish(result, token, renew_at);
  co_return result;
}

void AccessToken::finish(const TokenResult& result, const std::string& token, std::int64_t renew_at) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    if (!token.empty()) {
      token_ = token;
      renew_at_ = renew_at;
    }
    last_ = result;
    ++grant_seq_;
    granting_ = false;
    waiters.swap(waiters_);
  }
  // Each waiter's timer belongs to its loop: cancel it there.
  for (Waiter& w : waiters) asio::post(w.executor, [timer = std::move(w.timer)] { timer->cancel(); });
}

}  // namespace impulse::delivery::gcm
