// MessageInjector with a MessageSigner (queue/message_signer.hpp; SPEC §19
// DKIM): the signer sees the data as stored (trace line first) and the
// binding chosen at reception; its field is prepended before the spool
// commit (the stored size counts it); its problem goes to the paniclog; a
// message moved between nodes (ECSTREAM) is not signed again.
#include <gtest/gtest.h>

#include "queue/message_signer.hpp"
#include "support/scheduler_harness.hpp"

namespace impulse::queue::testing {
namespace {

class RecordingSigner final : public MessageSigner {
 public:
  MessageSignature sign(std::string_view id, std::string_view binding, std::string_view data) const override {
    calls.push_back({std::string(id), std::string(binding), std::string(data)});
    return reply;
  }
  struct Call {
    std::string id, binding, data;
  };
  mutable std::vector<Call> calls;
  MessageSignature reply;
};

void use_signer(SchedulerHarness& h, const MessageSigner& signer) {
  h.injector = std::make_unique<MessageInjector>(
      InjectorDeps{h.store, *h.scheduler, h.router, h.ids, h.log, h.clock, SchedulerHarness::kHostname, &signer});
}

TEST(InjectorSigning, TheFieldIsPrependedBeforeTheCommitAndCounted) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  RecordingSigner signer;
  signer.reply.field = "DKIM-Signature: v=1; d=sender.example\r\n";
  use_signer(h, signer);
  auto r = h.inject("a@sender.example", {"b@example.com"});
  const auto id = h.id_of(r);
  ASSERT_EQ(signer.calls.size(), 1u);
  EXPECT_EQ(signer.calls[0].id, id.to_string());
  EXPECT_EQ(signer.calls[0].binding, "default");
  EXPECT_TRUE(signer.calls[0].data.starts_with("Received: from client.example.net")) << signer.calls[0].data;
  EXPECT_TRUE(signer.calls[0].data.ends_with("\r\nSubject: test\r\n\r\nHello\r\n"));
  auto body = h.store.load_body(id);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(**body, signer.reply.field + signer.calls[0].data);
  EXPECT_EQ(h.store.load_message(id)->size, (*body)->size());
  EXPECT_EQ(h.log.main_records("R")[0][10], std::to_string((*body)->size()));
  EXPECT_TRUE(h.log.problems.empty());
}

TEST(InjectorSigning, AProblemIsLoggedAndTheMessageStillAccepted) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  RecordingSigner signer;
  signer.reply.problem = "X: DKIM: no From: header; accepted unsigned";
  use_signer(h, signer);
  auto r = h.inject("a@sender.example", {"b@example.com"});
  const auto id = h.id_of(r);
  EXPECT_EQ(h.log.problems, std::vector<std::string>{signer.reply.problem});
  EXPECT_TRUE((*h.store.load_body(id))->starts_with("Received: "));
}

TEST(InjectorSigning, EcstreamMessagesAreNotSignedAgain) {
  SchedulerHarness h;
  h.agent.auto_run = false;
  RecordingSigner signer;
  signer.reply.field = "DKIM-Signature: v=1\r\n";
  use_signer(h, signer);
  Injection m;
  m.origin.protocol = spool::Protocol::kEcstream;
  m.origin.trace = "";
  m.origin.peer_ip = "192.0.2.1";
  m.envelope.sender = "a@sender.example";
  m.envelope.recipients = {"b@example.com"};
  m.data = "DKIM-Signature: v=1; from the first node\r\nFrom: a@sender.example\r\n\r\nx\r\n";
  std::optional<Result<std::string>> got;
  h.injector->inject(m, [&](Result<std::string> r) { got = std::move(r); });
  h.drain();
  ASSERT_TRUE(got && got->has_value());
  EXPECT_TRUE(signer.calls.empty());
  EXPECT_EQ(**h.store.load_body(*spool::MessageId::parse(**got)), m.data);
}

}  // namespace
}  // namespace impulse::queue::testing
