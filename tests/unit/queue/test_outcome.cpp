// Tests for queue/outcome.hpp: Momentum's stage numbers, the outcome helpers
// and the [internal] reply catalogue (each text is a well-formed reply whose
// enhanced code agrees with its reply code).
#include "queue/outcome.hpp"

#include <gtest/gtest.h>

#include "protocol/enhanced_status.hpp"

using namespace impulse::queue;

TEST(Outcome, StageNumbersAreMomentums) {
  EXPECT_EQ(stage_code(Stage::kNotConnected), 0);
  EXPECT_EQ(stage_code(Stage::kIdle), 1);
  EXPECT_EQ(stage_code(Stage::kDuringMailFrom), 2);
  EXPECT_EQ(stage_code(Stage::kAfterMailFrom), 3);
  EXPECT_EQ(stage_code(Stage::kDuringRcptTo), 4);
  EXPECT_EQ(stage_code(Stage::kAfterRcptTo), 5);
  EXPECT_EQ(stage_code(Stage::kDuringData), 6);
  EXPECT_EQ(stage_code(Stage::kAfterData), 7);
  EXPECT_EQ(stage_code(Stage::kSendingBody), 8);
  EXPECT_EQ(stage_code(Stage::kReadingConfirmation), 9);
  EXPECT_EQ(stage_code(Stage::kDuringEhlo), 10);
  EXPECT_EQ(stage_code(Stage::kAfterEhlo), 11);
  EXPECT_EQ(stage_code(Stage::kReadingBanner), 12);
  EXPECT_EQ(stage_code(Stage::kDuringRset), 13);
  EXPECT_EQ(stage_code(Stage::kAfterRset), 14);
  EXPECT_EQ(stage_code(Stage::kDuringStartTls), 15);
  EXPECT_EQ(stage_code(Stage::kAfterStartTls), 16);
  EXPECT_EQ(stage_code(Stage::kTlsHandshake), 17);
  EXPECT_EQ(stage_code(Stage::kTlsRenegotiation), 18);
  EXPECT_EQ(stage_code(Stage::kDuringXclient), 19);
  EXPECT_EQ(stage_code(Stage::kAfterXclient), 20);
  EXPECT_EQ(stage_code(Stage::kOutOfBandBounce), 21);
  EXPECT_EQ(stage_code(Stage::kUnknown), 22);
  EXPECT_EQ(stage_name(Stage::kReadingBanner), "reading BANNER");
  EXPECT_EQ(stage_name(Stage::kTlsHandshake), "TLS handshake");
}

TEST(Outcome, Helpers) {
  auto ok = delivered("250 2.0.0 Ok: queued as ABC", "192.0.2.25", 1234, "mx1.example.com");
  EXPECT_TRUE(ok.delivered());
  EXPECT_EQ(ok.remote_ip, "192.0.2.25");
  EXPECT_EQ(ok.remote_host, "mx1.example.com");
  EXPECT_EQ(ok.bytes_sent, 1234u);
  EXPECT_EQ(ok.stage, Stage::kReadingConfirmation);
  EXPECT_FALSE(ok.internal());

  auto t = transient(std::string(internal_reply::kNoMxReachable), Stage::kNotConnected, Scope::kDomain);
  EXPECT_TRUE(t.transient());
  EXPECT_TRUE(t.internal());
  EXPECT_EQ(t.scope, Scope::kDomain);
  EXPECT_EQ(t.bytes_sent, 0u);
  EXPECT_TRUE(t.remote_ip.empty());

  auto p = permanent("550 5.1.1 <x@y>: Recipient address rejected", Stage::kDuringRcptTo, Scope::kRecipient,
                     "192.0.2.25", 87);
  EXPECT_TRUE(p.permanent());
  EXPECT_EQ(stage_code(p.stage), 4);
  EXPECT_EQ(disposition_name(p.disposition), "permanent");
  EXPECT_EQ(scope_name(p.scope), "recipient");
}

TEST(Outcome, InternalTextsAreExact) {
  EXPECT_EQ(internal_reply::kNoMxReachable,
            "421 4.4.0 [internal] no MXs for this domain could be reached at this time");
  EXPECT_EQ(internal_reply::kNullMx, "550 5.4.4 [internal] NULL MX domain does not accept mail");
  EXPECT_EQ(internal_reply::kDomainLookupFailed, "554 5.4.4 [internal] Domain Lookup Failed");
  EXPECT_EQ(internal_reply::kPrivateLoopback, "551 5.4.6 [internal] Private/Loopback Address");
  EXPECT_EQ(internal_reply::kExceededMaxRetries, "554 5.4.7 [internal] exceeded max retries without delivery");
  EXPECT_EQ(internal_reply::kExceededMaxTime, "554 5.4.7 [internal] exceeded max time without delivery");
  EXPECT_EQ(internal_reply::kManuallyPurged, "554 5.7.0 [internal] Message manually purged");
}

TEST(Outcome, InternalTextsAreWellFormedReplies) {
  namespace ir = internal_reply;
  const std::string_view all[] = {
      ir::kNoMxReachable,       ir::kNoValidHosts,        ir::kNoValidHostsNoConnections, ir::kNoMxOrA,
      ir::kNullMx,              ir::kPrivateLoopback,     ir::kDomainLookupFailed,        ir::kServiceUnavailable,
      ir::kConcurrencyLimit,    ir::kConnectionTimedOut,  ir::kNoBanner,                  ir::kSendHeloFailed,
      ir::kNoHeloResponse,      ir::kSendMailFromFailed,  ir::kNoMailFromResponse,        ir::kMailFromArgsTooLong,
      ir::kSendRcptToFailed,    ir::kNoRcptToResponse,    ir::kRcptToArgsTooLong,         ir::kSendDataFailed,
      ir::kNoDataResponse,      ir::kSendBodyFailed,      ir::kNoBodyResponse,            ir::kSendRsetFailed,
      ir::kNoRsetResponse,      ir::kConnectionClosed,    ir::kSendXclientFailed,         ir::kNoXclientResponse,
      ir::kSendStartTlsFailed,  ir::kNoTlsGoAhead,        ir::kTlsNegotiationFailed,      ir::kStartTlsNotAdvertised,
      ir::kXclientNotAdvertised, ir::kCertNotSignedByCa,  ir::kCertNameMismatch,          ir::kExceededMaxRetries,
      ir::kExceededMaxTime,     ir::kNotAttemptedExpired, ir::kManuallyPurged,            ir::kManuallyDelayed,
      ir::kBlackholed,          ir::kDiscardedByPolicy};
  for (auto text : all) {
    auto code = impulse::protocol::parse_reply_code(text);
    ASSERT_TRUE(code) << text;
    auto st = impulse::protocol::extract_enhanced_status(text);
    ASSERT_TRUE(st) << text;
    EXPECT_EQ(st->klass, *code / 100) << text;
  }
  EXPECT_EQ(impulse::protocol::parse_reply_code(ir::kManuallyFailed), 554);
}
