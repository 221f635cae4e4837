// AccessToken: the OAuth2 access token of one service account (SPEC §13
// "FCM HTTP v1"; RFC 7523 JWT-bearer grant): obtained by POSTing a signed
// assertion (oauth_signer.hpp) to the account's token_uri through a Poster
// (the transport's HTTP client, token_endpoint.hpp), cached, and renewed
// before it expires: a quarter of its life before the end, but never more
// than 5 minutes before (3599 s: renewed after 3299 s; 60 s: after 45 s).
// One AccessToken serves the whole daemon (gcm_transport.cpp keeps one per
// service account): one grant is in flight at a time, run on the owner
// loop (the executor given here, where the Poster does its I/O); callers
// on any loop wait for it (deadline: wait_limit, on a timer of their own
// executor, woken by a post from the granter) and share its answer,
// resumed on their own executor.
// invalidate(token) forgets a token the service refused (401) unless a
// newer one replaced it already.
//
// Leaves to others: the HTTP exchange and its deadlines (the Poster), what
// a refusal means for a message (gcm_outcome.hpp).
// Threading: get() and invalidate() from any loop (state under a mutex, no
// I/O under it); the grant itself on the owner executor. Keep it in a
// shared_ptr (a grant in flight holds it).
// Failure modes: get() returns kRefused (the token endpoint said 400/401/
// 403: credentials) or kFailed (no answer, 5xx, unreadable answer, a
// signature failing) with a one-line text; nothing throws.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "delivery/gcm/oauth_signer.hpp"

namespace impulse::delivery::gcm {

struct PostAnswer {
  int status = 0;
  std::string body;
};

// POSTs an application/x-www-form-urlencoded body to the token_uri.
// Error: why there is no answer (one line). Must end within its own deadline.
using Poster = std::function<boost::asio::awaitable<impulse::expected<PostAnswer, std::string>>(std::string form)>;

struct TokenResult {
  enum class Kind { kToken, kRefused, kFailed };
  Kind kind = Kind::kFailed;
  std::string value;  // the access token (kToken), else why not
};

class AccessToken : public std::enable_shared_from_this<AccessToken> {
 public:
  AccessToken(boost::asio::any_io_executor executor, OAuthSigner signer, Poster poster,
              std::function<std::int64_t()> now_unix, std::chrono::milliseconds wait_limit);

  boost::asio::awaitable<TokenResult> get();
  void invalidate(const std::string& token);

  std::uint64_t grants() const;

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  bool fresh(std::int64_t now) const;  // mutex_ held
  boost::asio::awaitable<TokenResult> grant(std::int64_t now);  // on executor_
  void finish(const TokenResult& result, const std::string& token, std::int64_t renew_at);

  boost::asio::any_io_executor executor_;
  OAuthSigner signer_;
  Poster poster_;
  std::function<std::int64_t()> now_unix_;
  std::chrono::milliseconds wait_limit_;
  mutable std::mutex mutex_;
  std::vector<Waiter> waiters_;  // callers waiting for the grant in flight
  bool granting_ = false;
  std::uint64_t grant_seq_ = 0;
  TokenResult last_;  // the last grant's answer
  std::string token_;
  std::int64_t renew_at_ = 0;
  std::uint64_t grants_ = 0;
};

}  // namespace impulse::delivery::gcm
