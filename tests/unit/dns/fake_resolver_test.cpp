// The shared resolver fakes (tests/support/fake_resolver.hpp) keep the DNS
// seam's contract (dns/resolver.hpp): never answer inline from query(),
// exactly one answer per question.
#include "support/fake_resolver.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace impulse::test {
namespace {

TEST(FakeResolver, AnswersFromItsTableOnlyWhenPumpedInQuestionOrder) {
  FakeResolver dns;
  dns.mx("example.com", {{10, "mx1.example.com"}, {20, "mx2.example.com"}}, 600);
  dns.a("mx1.example.com", {"192.0.2.1", "192.0.2.2"});
  std::vector<std::string> order;
  dns::Answer mx, a, unknown;
  dns.query("example.com", dns::RecordType::MX, [&](const dns::Answer& r) {
    order.push_back("mx");
    mx = r;
  });
  dns.query("mx1.example.com", dns::RecordType::A, [&](const dns::Answer& r) {
    order.push_back("a");
    a = r;
  });
  dns.query("nowhere.test", dns::RecordType::A, [&](const dns::Answer& r) {
    order.push_back("nx");
    unknown = r;
  });
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(dns.pending(), 3u);

  EXPECT_EQ(dns.pump(), 3u);
  EXPECT_EQ(order, (std::vector<std::string>{"mx", "a", "nx"}));
  EXPECT_EQ(mx.status, dns::Status::Ok);
  EXPECT_EQ(mx.ttl, 600u);
  ASSERT_EQ(mx.mx.size(), 2u);
  EXPECT_EQ(mx.mx[1].exchange, "mx2.example.com");
  ASSERT_EQ(a.addresses.size(), 2u);
  EXPECT_EQ(a.addresses[0], ip("192.0.2.1"));
  EXPECT_EQ(unknown.status, dns::Status::NxDomain);
  EXPECT_EQ(unknown.canonical_name, "nowhere.test");
  EXPECT_EQ(dns.asked("example.com", dns::RecordType::MX), 1);
  EXPECT_EQ(dns.total_asked(), 3);
}

TEST(FakeResolver, StepAnswersOneQuestionAndQuestionsAskedWhileAnsweringArePumpedToo) {
  FakeResolver dns;
  dns.status("down.test", dns::RecordType::MX, dns::Status::ServFail);
  int answers = 0;
  dns.query("down.test", dns::RecordType::MX, [&](const dns::Answer& r) {
    ++answers;
    EXPECT_EQ(r.status, dns::Status::ServFail);
    dns.query("down.test", dns::RecordType::A, [&](const dns::Answer&) { ++answers; });
  });
  EXPECT_TRUE(dns.step());
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(dns.pump(), 1u);
  EXPECT_EQ(answers, 2);
  EXPECT_FALSE(dns.step());
}

TEST(NxDomainResolver, AnswersNxDomainThroughTheDeferralOnly) {
  std::vector<std::function<void()>> deferred;
  NxDomainResolver dns([&](std::function<void()> f) { deferred.push_back(std::move(f)); });
  std::vector<dns::Answer> answers;
  dns.query("mx.example.com", dns::RecordType::AAAA, [&](const dns::Answer& r) { answers.push_back(r); });
  EXPECT_TRUE(answers.empty());
  ASSERT_EQ(deferred.size(), 1u);
  deferred[0]();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, dns::Status::NxDomain);
  EXPECT_EQ(answers[0].canonical_name, "mx.example.com");
}

}  // namespace
}  // namespace impulse::test
