// SharedToken: one APNs provider token (provider_token.hpp) shared by every
// event loop's APN transport, so the daemon presents one JWT per key and
// team across all its connections (SPEC §12: "one token reused across
// requests and connections"; more would count as token updates at Apple).
// ProviderToken itself is single-threaded; this wraps it in a mutex taken
// once per request (no I/O under it: signing is a few microseconds, every
// 40 minutes).
//
//   std::string jwt = token.bearer(now);          // a copy: the caller's to keep
//   ... 403 ExpiredProviderToken ...
//   token.renew_after(jwt);                        // only if no other stream renewed it already
//
// Leaves to others: the header and the retry (apn_session.hpp).
// Threading: any thread. Failure modes: none after load (bearer() keeps the
// previous token if OpenSSL refuses to sign a new one).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "delivery/apn/provider_token.hpp"

namespace impulse::delivery::apn {

class SharedToken {
 public:
  explicit SharedToken(ProviderToken token) : token_(std::move(token)) {}

  std::string bearer(std::int64_t now_unix) {
    std::lock_guard lock(mutex_);
    current_ = token_.bearer(now_unix);
    return current_;
  }

  // The server refused `used` as expired: renew, unless the current token
  // is already another one (a concurrent stream saw the same answer first).
  void renew_after(const std::string& used) {
    std::lock_guard lock(mutex_);
    if (current_ == used) token_.invalidate();
  }

 private:
  std::mutex mutex_;
  ProviderToken token_;
  std::string current_;  // the JWT bearer() last handed out
};

}  // namespace impulse::delivery::apn
