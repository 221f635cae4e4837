// FakeTransport: a scripted delivery::Transport for connection-manager tests
// (docs/architecture.md rule 8: seams with test doubles). Sessions run on the
// test's io_context and record what a test asserts on: sessions opened and
// closed, deliveries running at once (per session and in total), the jobs
// each session delivered. A test scripts:
//   - capacity: deliver() calls a session may run at once (an HTTP/2
//     connection's streams);
//   - open_fails(address): open() to that address fails (a host failure);
//   - gate(true): every deliver() waits until release() (a stalled peer);
//   - result: how a delivery ends (default: every recipient delivered), may
//     carry a route verdict (queue::Hold).
// Idle sessions wait for wake() or a short real-time idle deadline.
// Single-threaded: everything on the one io_context of the test.
#pragma once

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "delivery/transport.hpp"

namespace impulse::delivery::testing {

class FakeTransport {
 public:
  struct Script {
    std::size_t capacity = 1;
    std::uint32_t max_deliveries = 0;  // 0 = unlimited
    std::chrono::milliseconds idle{200};
    std::set<std::string> failing_addresses;
    bool gated = false;
    std::function<queue::AttemptResult(const queue::DeliveryJob&, const std::string& address)> result;
  };
  struct Stats {
    std::size_t opened = 0, open_failures = 0, closed = 0, open_now = 0, max_open = 0;
    std::size_t running = 0, max_running = 0, max_running_in_one_session = 0;
    std::size_t delivered = 0;
    std::vector<std::string> addresses;  // one per session opened
    std::vector<std::shared_ptr<boost::asio::steady_timer>> gates;
  };

  FakeTransport() : script_(std::make_shared<Script>()), stats_(std::make_shared<Stats>()) {}

  Script& script() { return *script_; }
  const Stats& stats() const { return *stats_; }

  void gate(bool on) { script_->gated = on; }
  // Lets every waiting delivery finish (and later ones pass while ungated).
  void release() {
    script_->gated = false;
    auto gates = std::move(stats_->gates);
    for (auto& g : gates) g->cancel();
  }

  TransportFactory factory() {
    return [script = script_, stats = stats_](boost::asio::io_context& io) -> std::unique_ptr<Transport> {
      return std::make_unique<FakeTransportImpl>(io, script, stats);
    };
  }

  // Every recipient delivered, "250 ok" from `address`.
  static queue::AttemptResult all_delivered(const queue::DeliveryJob& job, const std::string& address) {
    queue::AttemptResult r;
    r.outcomes.assign(job.recipients.size(), queue::delivered("250 2.0.0 ok", address, 100, "fake"));
    return r;
  }

 private:
  class FakeSession final : public Session {
   public:
    FakeSession(boost::asio::io_context& io, std::shared_ptr<Script> script, std::shared_ptr<Stats> stats,
                std::string address)
        : io_(io), script_(std::move(script)), stats_(std::move(stats)), address_(std::move(address)), idle_timer_(io) {}

    std::size_t capacity() const override { return script_->capacity; }
    bool reusable() const override { return alive_ && deliveries_left() > 0; }
    std::size_t deliveries_left() const override {
      if (script_->max_deliveries == 0) return std::numeric_limits<std::size_t>::max();
      return script_->max_deliveries > done_ ? script_->max_deliveries - done_ : 0;
    }

    boost::asio::awaitable<queue::AttemptResult> deliver(const queue::DeliveryJob& job, spool::Body) override {
      ++running_;
      ++stats_->running;
      stats_->max_running = std::max(stats_->max_running, stats_->running);
      stats_->max_running_in_one_session = std::max(stats_->max_running_in_one_session, running_);
      if (script_->gated) {
        auto gate = std::make_shared<boost::asio::steady_timer>(io_, boost::asio::steady_timer::time_point::max());
        stats_->gates.push_back(gate);
        boost::system::error_code ignored;
        co_await gate->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
      } else {
        co_await boost::asio::post(io_, boost::asio::use_awaitable);  // a real suspension, as a network reply is
      }
      --running_;
      --stats_->running;
      ++done_;
      ++stats_->delivered;
      co_return script_->result ? script_->result(job, address_) : all_delivered(job, address_);
    }

    boost::asio::awaitable<SessionIdleEnd> idle() override {
      if (wake_pending_) {
        wake_pending_ = false;
        co_return SessionIdleEnd::kWoken;
      }
      idle_timer_.expires_after(script_->idle);
      boost::system::error_code ec;
      co_await idle_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (wake_pending_) {
        wake_pending_ = false;
        co_return SessionIdleEnd::kWoken;
      }
      co_return SessionIdleEnd::kTimedOut;
    }
    void wake() override {
      wake_pending_ = true;
      idle_timer_.cancel();
    }
    boost::asio::awaitable<void> close() override {
      alive_ = false;
      ++stats_->closed;
      --stats_->open_now;
      co_return;
    }

   private:
    boost::asio::io_context& io_;
    std::shared_ptr<Script> script_;
    std::shared_ptr<Stats> stats_;
    std::string address_;
    boost::asio::steady_timer idle_timer_;
    std::size_t running_ = 0;
    std::size_t done_ = 0;
    bool alive_ = true;
    bool wake_pending_ = false;
  };

  class FakeSettings final : public MethodSettings {};

  class FakeTransportImpl final : public Transport {
   public:
    FakeTransportImpl(boost::asio::io_context& io, std::shared_ptr<Script> script, std::shared_ptr<Stats> stats)
        : io_(io), script_(std::move(script)), stats_(std::move(stats)) {}

    Result<MethodSettingsPtr> settings(const config::ConfigPtr&, const config::OutboundKey&) override {
      auto s = std::make_shared<FakeSettings>();
      s->max_deliveries_per_session = script_->max_deliveries;
      return MethodSettingsPtr(std::move(s));
    }

    boost::asio::awaitable<SessionOpenResult> open(const SessionTarget& target, const MethodSettingsPtr&,
                                                   const queue::DeliveryJob&) override {
      co_await boost::asio::post(io_, boost::asio::use_awaitable);
      const std::string address = target.target.address_text();
      if (script_->failing_addresses.count(address)) {
        ++stats_->open_failures;
        co_return impulse::unexpected(SessionOpenFailure{
            queue::transient(std::string(queue::internal_reply::kConnectionTimedOut), queue::Stage::kNotConnected,
                             queue::Scope::kHost, address),
            "scripted failure"});
      }
      ++stats_->opened;
      ++stats_->open_now;
      stats_->max_open = std::max(stats_->max_open, stats_->open_now);
      stats_->addresses.push_back(address);
      co_return std::unique_ptr<Session>(std::make_unique<FakeSession>(io_, script_, stats_, address));
    }

   private:
    boost::asio::io_context& io_;
    std::shared_ptr<Script> script_;
    std::shared_ptr<Stats> stats_;
  };

  std::shared_ptr<Script> script_;
  std::shared_ptr<Stats> stats_;
};

}  // namespace impulse::delivery::testing
