// The ECSTREAM client's outcome table (delivery/ecstream/ecstream_outcome.hpp):
// one row per REPLY class, GOAWAY and failure, with disposition, scope,
// stage and text.
#include "delivery/ecstream/ecstream_outcome.hpp"

#include <gtest/gtest.h>

namespace impulse::delivery::ecstream {
namespace {

using queue::Disposition;
using queue::Scope;
using queue::Stage;

const OutcomeContext kContext{"192.0.2.5", "b.example", 4200};

TEST(EcstreamOutcome, Replies) {
  struct Row {
    protocol::ecstream::Reply reply;
    Disposition disposition;
    std::string text;
  };
  const Row rows[] = {
      {{1, 250, "2.0.0", "Ok: queued as X", "X"}, Disposition::kDelivered, "250 2.0.0 Ok: queued as X"},
      {{1, 451, "4.3.0", "spool unwritable", ""}, Disposition::kTransient, "451 4.3.0 spool unwritable"},
      {{1, 550, "5.7.1", "relaying denied", ""}, Disposition::kPermanent, "550 5.7.1 relaying denied"},
      {{1, 552, "5.3.4", "message size exceeds fixed maximum message size", ""}, Disposition::kPermanent,
       "552 5.3.4 message size exceeds fixed maximum message size"},
  };
  for (const auto& row : rows) {
    const queue::Outcome o = reply_outcome(row.reply, kContext);
    EXPECT_EQ(o.disposition, row.disposition) << row.text;
    EXPECT_EQ(o.reply, row.text);
    EXPECT_EQ(o.stage, queue::kStageResponse);
    EXPECT_EQ(o.remote_ip, "192.0.2.5");
    EXPECT_EQ(o.bytes_sent, 4200u);
    if (!o.delivered()) {
      EXPECT_EQ(o.scope, Scope::kMessage);
    }
  }
}

TEST(EcstreamOutcome, GoawayIsAlwaysTransient) {
  auto o = goaway_outcome({3, 421, "4.3.2", "Reconfiguration in progress"}, kContext);
  EXPECT_TRUE(o.transient());
  EXPECT_EQ(o.reply, "421 4.3.2 Reconfiguration in progress");
  auto odd = goaway_outcome({3, 554, "5.0.0", "bye"}, kContext);
  EXPECT_TRUE(odd.transient());
  EXPECT_EQ(odd.reply, "421 5.0.0 bye");
}

TEST(EcstreamOutcome, Failures) {
  struct Row {
    FailureKind kind;
    Disposition disposition;
    Scope scope;
    Stage stage;
    std::string_view text;
  };
  namespace ir = protocol::internal_reply;
  const Row rows[] = {
      {FailureKind::kConnectTimeout, Disposition::kTransient, Scope::kHost, Stage::kNotConnected, ir::kConnectionTimedOut},
      {FailureKind::kConnectFailed, Disposition::kTransient, Scope::kHost, Stage::kNotConnected,
       ir::kNoValidHostsNoConnections},
      {FailureKind::kTlsFailed, Disposition::kTransient, Scope::kHost, Stage::kTlsHandshake, ir::kTlsNegotiationFailed},
      {FailureKind::kCertUntrusted, Disposition::kTransient, Scope::kHost, Stage::kTlsHandshake, ir::kCertNotSignedByCa},
      {FailureKind::kNoGreeting, Disposition::kTransient, Scope::kHost, Stage::kReadingBanner,
       "451 4.4.2 [internal] no ECSTREAM greeting"},
      {FailureKind::kProtocolError, Disposition::kTransient, Scope::kMessage, queue::kStageResponse,
       "451 4.4.2 [internal] ECSTREAM protocol error"},
      {FailureKind::kClosed, Disposition::kTransient, Scope::kMessage, queue::kStageResponse, ir::kConnectionClosed},
      {FailureKind::kSendFailed, Disposition::kTransient, Scope::kMessage, queue::kStageRequest, ir::kSendBodyFailed},
      {FailureKind::kNoResponse, Disposition::kTransient, Scope::kMessage, queue::kStageResponse,
       "451 4.4.2 [internal] no ECSTREAM response"},
      {FailureKind::kTooBig, Disposition::kPermanent, Scope::kMessage, queue::kStageRequest,
       "552 5.3.4 [internal] message size exceeds the ECSTREAM receiver's maximum"},
  };
  for (const auto& row : rows) {
    const queue::Outcome o = failure_outcome(row.kind, kContext);
    EXPECT_EQ(o.disposition, row.disposition) << row.text;
    EXPECT_EQ(o.scope, row.scope) << row.text;
    EXPECT_EQ(o.stage, row.stage) << row.text;
    EXPECT_EQ(o.reply, row.text);
  }
}

}  // namespace
}  // namespace impulse::delivery::ecstream
