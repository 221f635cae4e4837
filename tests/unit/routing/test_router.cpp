// Router: envelope -> spool::Message (split addresses, lower-cased domains,
// binding from the policy) and the per-(binding, domain) split.
#include <gtest/gtest.h>

#include "routing/router.hpp"

namespace impulse::routing {
namespace {

Envelope envelope(std::vector<std::string> rcpts) {
  Envelope e;
  e.id = spool::MessageId{1, 0, 7};
  e.sender = "Alice@Sender.Example";
  e.recipients = std::move(rcpts);
  e.peer_ip = "192.0.2.1";
  e.size = 123;
  return e;
}

class FixedPolicy final : public BindingPolicy {
 public:
  BindingChoice choose(const spool::Message& m) const override {
    ++calls;
    seen_recipients = m.recipients.size();
    return {"b1", "g1"};
  }
  mutable int calls = 0;
  mutable std::size_t seen_recipients = 0;
};

TEST(Router, MakeMessageSplitsAddressesAndLowerCasesDomains) {
  DefaultBindingPolicy policy;
  Router router(policy);
  auto m = router.make_message(envelope({"Bob@Example.COM", "carol@other.example"}));
  EXPECT_EQ(m.id, (spool::MessageId{1, 0, 7}));
  EXPECT_EQ(m.sender, "Alice@Sender.Example");
  EXPECT_EQ(m.size, 123u);
  ASSERT_EQ(m.recipients.size(), 2u);
  EXPECT_EQ(m.recipients[0].address, "Bob@Example.COM");
  EXPECT_EQ(m.recipients[0].local_part, "Bob");
  EXPECT_EQ(m.recipients[0].domain, "example.com");
  EXPECT_EQ(m.recipients[0].binding, "default");
  EXPECT_EQ(m.recipients[0].binding_group, "");
  EXPECT_EQ(m.recipients[1].domain, "other.example");
  EXPECT_EQ(m.binding, "default");
  EXPECT_EQ(m.recipients[0].status.state, spool::RecipientState::kPending);
}

TEST(Router, BindingPolicyIsAskedOncePerMessageAndAppliesToEveryRecipient) {
  FixedPolicy policy;
  Router router(policy);
  auto m = router.make_message(envelope({"a@x.example", "b@y.example"}));
  EXPECT_EQ(policy.calls, 1);
  EXPECT_EQ(policy.seen_recipients, 2u);
  EXPECT_EQ(m.binding, "b1");
  EXPECT_EQ(m.binding_group, "g1");
  for (const auto& r : m.recipients) {
    EXPECT_EQ(r.binding, "b1");
    EXPECT_EQ(r.binding_group, "g1");
  }
}

TEST(Router, MakeMessageKeepsTheClientFacts) {
  DefaultBindingPolicy policy;
  Router router(policy);
  Envelope e = envelope({"a@x.example"});
  e.helo = "client.example.net";
  e.protocol = spool::Protocol::kRest;
  auto m = router.make_message(std::move(e));
  EXPECT_EQ(m.peer_ip, "192.0.2.1");
  EXPECT_EQ(m.helo, "client.example.net");
  EXPECT_EQ(m.protocol, spool::Protocol::kRest);
}

TEST(Router, AddressWithoutAtKeepsItWholeWithNoDomain) {
  DefaultBindingPolicy policy;
  Router router(policy);
  auto m = router.make_message(envelope({"postmaster"}));
  EXPECT_EQ(m.recipients[0].local_part, "postmaster");
  EXPECT_EQ(m.recipients[0].domain, "");
}

TEST(Router, SplitGroupsPendingRecipientsByBindingAndDomainInFirstSeenOrder) {
  DefaultBindingPolicy policy;
  Router router(policy);
  auto m = router.make_message(envelope({"a@x.example", "b@Y.example", "c@X.EXAMPLE", "d@z.example"}));
  m.recipients[3].status.state = spool::RecipientState::kDelivered;  // final: not queued
  m.recipients[1].binding = "b2";
  auto groups = Router::split(m);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].binding, "default");
  EXPECT_EQ(groups[0].domain, "x.example");
  EXPECT_EQ(groups[0].indices, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(groups[1].binding, "b2");
  EXPECT_EQ(groups[1].domain, "y.example");
  EXPECT_EQ(groups[1].indices, (std::vector<std::uint32_t>{1}));
}

TEST(Router, SplitOfManyDomainsMatchesTheLinearResult) {
  DefaultBindingPolicy policy;
  Router router(policy);
  std::vector<std::string> rcpts;
  for (int round = 0; round < 3; ++round)
    for (int d = 0; d < 20; ++d) rcpts.push_back("u" + std::to_string(round) + "@d" + std::to_string(d) + ".example");
  auto groups = Router::split(router.make_message(envelope(rcpts)));
  ASSERT_EQ(groups.size(), 20u);
  for (std::uint32_t d = 0; d < 20; ++d) {
    EXPECT_EQ(groups[d].domain, "d" + std::to_string(d) + ".example");
    EXPECT_EQ(groups[d].indices, (std::vector<std::uint32_t>{d, d + 20, d + 40}));
  }
}

}  // namespace
}  // namespace impulse::routing
