// Fake dns::Resolver implementations for unit tests (the DNS seam,
// dns/resolver.hpp), shared by every test library:
//
// FakeResolver answers from a table, asynchronously: query() only queues
// the question; pump() answers every queued question (and those asked while
// answering) in order, as the real resolver's callbacks would arrive on its
// executor. Names not in the table answer NXDOMAIN. Counts every question
// so tests can assert what was asked.
//
//   impulse::test::FakeResolver dns;
//   dns.mx("example.com", {{10, "mx1.example.com"}});
//   dns.a("mx1.example.com", {"192.0.2.1"});
//   ... routing code queries ...; dns.pump();
//
// NxDomainResolver answers every question NXDOMAIN through `defer` (a test
// that routes only to IP literals): pass something that runs the callback
// later on the test's loop, e.g.
//   NxDomainResolver dns([&io](std::function<void()> f) { asio::post(io, std::move(f)); });
//
// Header-only, test code only, no Asio. Not thread-safe: use each from the
// thread that runs the code under test. Bad IP text in a table throws
// std::invalid_argument (a broken test, not a DNS failure).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/net.hpp"
#include "dns/resolver.hpp"

namespace impulse::test {

inline config::IpAddress ip(std::string_view text) {
  auto parsed = config::parse_ip(text);
  if (!parsed) throw std::invalid_argument("bad IP in test: " + std::string(text));
  return *parsed;
}

class FakeResolver final : public dns::Resolver {
 public:
  void set(const std::string& name, dns::RecordType type, dns::Answer answer) {
    answer.canonical_name = name;
    table_[{name, type}] = std::move(answer);
  }
  void mx(const std::string& name, std::initializer_list<std::pair<int, std::string>> records,
          std::uint32_t ttl = 3600) {
    dns::Answer answer;
    answer.status = dns::Status::Ok;
    answer.ttl = ttl;
    for (const auto& [pref, exchange] : records) {
      answer.mx.push_back({static_cast<std::uint16_t>(pref), exchange});
    }
    set(name, dns::RecordType::MX, std::move(answer));
  }
  void a(const std::string& name, std::initializer_list<const char*> addresses, std::uint32_t ttl = 3600) {
    addresses_(name, dns::RecordType::A, addresses, ttl);
  }
  void aaaa(const std::string& name, std::initializer_list<const char*> addresses, std::uint32_t ttl = 3600) {
    addresses_(name, dns::RecordType::AAAA, addresses, ttl);
  }
  void status(const std::string& name, dns::RecordType type, dns::Status status, std::uint32_t ttl = 0) {
    dns::Answer answer;
    answer.status = status;
    answer.ttl = ttl;
    set(name, type, std::move(answer));
  }

  void query(const std::string& name, dns::RecordType type, dns::AnswerHandler done) override {
    ++asked_[{name, type}];
    queue_.push_back({name, type, std::move(done)});
  }

  // Answers until nothing is queued; returns how many answers were given.
  std::size_t pump() {
    std::size_t answered = 0;
    while (!queue_.empty()) {
      auto question = std::move(queue_.front());
      queue_.pop_front();
      question.done(answer_for(question.name, question.type));
      ++answered;
    }
    return answered;
  }

  // Answers the oldest queued question only; false if none was queued.
  bool step() {
    if (queue_.empty()) return false;
    auto question = std::move(queue_.front());
    queue_.pop_front();
    question.done(answer_for(question.name, question.type));
    return true;
  }

  std::size_t pending() const { return queue_.size(); }
  int asked(const std::string& name, dns::RecordType type) const {
    auto it = asked_.find({name, type});
    return it == asked_.end() ? 0 : it->second;
  }
  int total_asked() const {
    int total = 0;
    for (const auto& [key, count] : asked_) total += count;
    return total;
  }

 private:
  struct Question {
    std::string name;
    dns::RecordType type;
    dns::AnswerHandler done;
  };

  void addresses_(const std::string& name, dns::RecordType type, std::initializer_list<const char*> addresses,
                  std::uint32_t ttl) {
    dns::Answer answer;
    answer.status = dns::Status::Ok;
    answer.ttl = ttl;
    for (const char* text : addresses) answer.addresses.push_back(ip(text));
    set(name, type, std::move(answer));
  }

  dns::Answer answer_for(const std::string& name, dns::RecordType type) const {
    auto it = table_.find({name, type});
    if (it != table_.end()) return it->second;
    dns::Answer answer;
    answer.status = dns::Status::NxDomain;
    answer.canonical_name = name;
    return answer;
  }

  std::map<std::pair<std::string, dns::RecordType>, dns::Answer> table_;
  std::map<std::pair<std::string, dns::RecordType>, int> asked_;
  std::deque<Question> queue_;
};

class NxDomainResolver final : public dns::Resolver {
 public:
  using Defer = std::function<void(std::function<void()>)>;
  explicit NxDomainResolver(Defer defer) : defer_(std::move(defer)) {}

  void query(const std::string& name, dns::RecordType, dns::AnswerHandler done) override {
    defer_([name, done = std::move(done)] {
      dns::Answer answer;
      answer.status = dns::Status::NxDomain;
      answer.canonical_name = name;
      done(answer);
    });
  }

 private:
  Defer defer_;
};

}  // namespace impulse::test
