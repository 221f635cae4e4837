// FakeInjector: an in-memory Injector for the inbound tests. It records each
// message and either answers at once (an id "MSG<n>", or a failure when
// told to fail) or, when deferred, keeps the completions until the test
// releases them. Thread-safe: the loopback tests inject from the listener's
// loop thread and inspect from the test thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "inbound/injector.hpp"

namespace impulse::inbound::testing {

class FakeInjector final : public Injector {
 public:
  void inject(ReceivedMessage message, Completion done) override {
    std::unique_lock lock(mu_);
    messages_.push_back(std::move(message));
    if (deferred_) {
      pending_.push_back(std::move(done));
      return;
    }
    Result<std::string> r = fail_reason_.empty() ? Result<std::string>("MSG" + std::to_string(messages_.size()))
                                                  : Result<std::string>(fail(fail_reason_));
    lock.unlock();
    done(std::move(r));
  }

  void fail_with(std::string reason) {
    std::lock_guard lock(mu_);
    fail_reason_ = std::move(reason);
  }
  void defer(bool on) {
    std::lock_guard lock(mu_);
    deferred_ = on;
  }
  // Completes the oldest deferred injection with `id` (or a failure).
  void complete_next(Result<std::string> r) {
    Completion done;
    {
      std::lock_guard lock(mu_);
      if (pending_.empty()) return;
      done = std::move(pending_.front());
      pending_.erase(pending_.begin());
    }
    done(std::move(r));
  }
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
  }
  std::vector<ReceivedMessage> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<ReceivedMessage> messages_;
  std::vector<Completion> pending_;
  std::string fail_reason_;
  bool deferred_ = false;
};

}  // namespace impulse::inbound::testing
