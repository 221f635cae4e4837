// FakeAgent: the queue::DeliveryAgent test double (tests/support/, shared by
// the queue, admin and console tests). It answers every recipient of every
// job it takes per a script (default: delivered), records each attempt and
// each on_ready call (ready_calls, ready: one entry per call, so a test can
// assert how often the queue told it), and follows the real contract
// (queue/delivery_agent.hpp): on every on_ready it posts a drain on the
// queue's loop that takes until take() returns a short batch; a second
// on_ready for a queue already drained finds nothing (idempotent).
// With auto_run off it only records on_ready; the test takes by hand.
// Threading: single-threaded tests (loops polled on the test thread).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "queue/delivery_agent.hpp"
#include "queue/delivery_job.hpp"
#include "queue/domain_queue.hpp"
#include "queue/outcome.hpp"

namespace impulse::queue::testing {

struct Attempt {
  spool::MessageId id;
  QueueKey key;
  std::string recipient;
  std::uint32_t retries = 0;
  std::string sender;
};

class FakeAgent final : public DeliveryAgent {
 public:
  using Script = std::function<Outcome(const DeliveryJob&, const QueuedRecipient&)>;

  static Outcome ok() { return delivered("250 2.0.0 Ok: queued", "192.0.2.25", 100, "mx.example.com"); }
  static Outcome tempfail() {
    return transient("451 4.3.0 Try again later", Stage::kReadingConfirmation, Scope::kRecipient, "192.0.2.25", 100,
                     "mx.example.com");
  }
  static Outcome rejected() {
    return permanent("550 5.1.1 <nobody@example.com>: Recipient address rejected", Stage::kAfterRcptTo,
                     Scope::kRecipient, "192.0.2.25", 40, "mx.example.com");
  }

  void on_ready(const std::shared_ptr<DomainQueue>& queue) override {
    ++ready_calls;
    ready.push_back(queue);
    if (!auto_run) return;
    boost::asio::post(queue->loop(), [this, queue] { drain(*queue); });
  }

  // Takes and answers until the queue is drained (the agent side of the contract).
  void drain(DomainQueue& queue) {
    for (;;) {
      auto jobs = queue.take(batch);
      for (auto& job : jobs) answer(queue, std::move(job));
      if (jobs.size() < batch) break;
    }
  }

  void answer(DomainQueue& queue, DeliveryJob job) {
    AttemptResult result;
    for (const auto& r : job.recipients) {
      attempts.push_back(Attempt{job.id(), job.key, r.address, job.retries, job.sender()});
      result.outcomes.push_back(script ? script(job, r) : ok());
    }
    job.connection_id = "conn-" + std::to_string(++connections);
    queue.complete(std::move(job), std::move(result));
  }

  // on_ready calls received for one queue.
  std::size_t ready_calls_for(const DomainQueue& queue) const {
    std::size_t n = 0;
    for (const auto& q : ready) n += q.get() == &queue;
    return n;
  }

  // Attempts made for one recipient.
  std::size_t attempts_for(const std::string& recipient) const {
    std::size_t n = 0;
    for (const auto& a : attempts) n += a.recipient == recipient;
    return n;
  }

  Script script;
  bool auto_run = true;
  std::size_t batch = 10;
  std::size_t ready_calls = 0;
  std::size_t connections = 0;
  std::vector<std::shared_ptr<DomainQueue>> ready;
  std::vector<Attempt> attempts;
};

// Answers recipients by domain (everything else delivered).
inline FakeAgent::Script by_domain(std::map<std::string, Outcome> outcomes) {
  return [outcomes = std::move(outcomes)](const DeliveryJob& job, const QueuedRecipient&) {
    auto it = outcomes.find(job.key.domain);
    return it == outcomes.end() ? FakeAgent::ok() : it->second;
  };
}

inline FakeAgent::Script always(Outcome o) {
  return [o = std::move(o)](const DeliveryJob&, const QueuedRecipient&) { return o; };
}

}  // namespace impulse::queue::testing
