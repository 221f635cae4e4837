// FakeInjector: an in-memory queue::Injector for the inbound tests. It
// records each message and either answers at once (an id "MSG<n>", or a
// failure when told to fail) or, when deferred, keeps the completions until
// the test releases them. Thread-safe: the loopback tests inject from the
// listener's loop thread and inspect from the test thread.
//
// messages() gives each recorded queue::Injection flattened into
// ReceivedMessage (envelope and origin fields side by side), which is what
// the session and listener tests assert on.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "queue/injection.hpp"

namespace impulse::inbound::testing {

struct ReceivedMessage {
  std::string helo;
  bool esmtp = false;
  std::string mail_from;
  std::vector<std::string> recipients;
  bool body_8bitmime = false;
  std::string data;
  std::string peer_ip;
  std::uint16_t peer_port = 0;
  std::string listener_address;
  bool tls = false;
  std::string connection_id;
  spool::Protocol protocol = spool::Protocol::kEsmtp;
  bool has_trace = false;  // the front end supplied its own trace line
  queue::InjectionEnvelope envelope{};  // whole, for SMTPUTF8 and DSN (set by inject())

  static ReceivedMessage from(const queue::Injection& in) {
    return ReceivedMessage{in.origin.helo,          in.origin.esmtp,       in.envelope.sender,
                           in.envelope.recipients,  in.envelope.body_8bitmime, in.data,
                           in.origin.peer_ip,       in.origin.peer_port,   in.origin.listener_address,
                           in.origin.tls,           in.origin.connection_id, in.origin.protocol,
                           in.origin.trace.has_value()};
  }
};

class FakeInjector final : public queue::Injector {
 public:
  void inject(queue::Injection message, Completion done) override {
    std::unique_lock lock(mu_);
    messages_.push_back(ReceivedMessage::from(message));
    messages_.back().envelope = message.envelope;
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

namespace impulse::inbound {
// The inbound tests name the flattened record unqualified.
using testing::ReceivedMessage;
}  // namespace impulse::inbound
