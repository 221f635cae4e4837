// Tests for the DSN side of queue/bounce_maker.hpp (RFC 3461, RFC 6533,
// SPEC §19): NOTIFY chooses who gets a failure notice, ENVID and ORCPT
// appear in the report, RET=HDRS wins over inlining the whole original, and
// an SMTPUTF8 original gets message/global-delivery-status.
#include "queue/bounce_maker.hpp"

#include <gtest/gtest.h>

#include "protocol/dsn_params.hpp"
#include "routing/router.hpp"

namespace impulse::queue {
namespace {

struct Fixture {
  MessageHead head;
  Outcome outcome;
  routing::DefaultBindingPolicy policy;
  routing::Router router{policy};

  Fixture() {
    head.sender = "sender@example.org";
    outcome.reply = "550 5.1.1 no such user";
  }
  Result<Bounce> make(std::vector<FailedRecipient> failed, protocol::InlineOriginal inline_original) {
    BounceRequest rq;
    rq.original = &head;
    rq.recipients = failed;
    rq.original_body = std::make_shared<const std::string>("Subject: hi\r\n\r\nthe body text\r\n");
    rq.inline_original = inline_original;
    rq.from = "mailer-daemon@mta.test";
    rq.hostname = "mta.test";
    return make_bounce(rq, router);
  }
};

TEST(BounceMakerDsn, NotifyChoosesWhoGetsAFailureNotice) {
  Fixture fx;
  auto ext = std::make_unique<EnvelopeExtensions>();
  ext->dsn_notify = {protocol::kNotifyNever, protocol::kNotifySuccess, 0, protocol::kNotifyFailure | protocol::kNotifyDelay};
  fx.head.extensions = std::move(ext);
  std::vector<FailedRecipient> failed{{"a@x.test", &fx.outcome, 0}, {"b@x.test", &fx.outcome, 1},
                                      {"c@x.test", &fx.outcome, 2}, {"d@x.test", &fx.outcome, 3}};
  auto chosen = recipients_to_notify(fx.head, failed);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].address, "c@x.test");
  EXPECT_EQ(chosen[1].address, "d@x.test");
  fx.head.extensions.reset();
  EXPECT_EQ(recipients_to_notify(fx.head, failed).size(), 4u);
}

TEST(BounceMakerDsn, EnvidOrcptAndRetHdrs) {
  Fixture fx;
  auto ext = std::make_unique<EnvelopeExtensions>();
  ext->dsn_envid = "QQ314159";
  ext->dsn_orcpt = {"rfc822;orig@x.test"};
  ext->dsn_ret = protocol::kRetHdrs;
  fx.head.extensions = std::move(ext);
  auto bounce = fx.make({{"a@x.test", &fx.outcome, 0}}, protocol::InlineOriginal::kAll);
  ASSERT_TRUE(bounce) << bounce.error().message;
  const std::string& body = *bounce->body;
  EXPECT_NE(body.find("Original-Envelope-Id: QQ314159\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("Original-Recipient: rfc822;orig@x.test\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("text/rfc822-headers"), std::string::npos) << body;
  EXPECT_EQ(body.find("message/rfc822"), std::string::npos) << body;
  EXPECT_EQ(body.find("the body text"), std::string::npos) << body;
  // Without RET=HDRS, bounces_inline_original all carries the whole message.
  auto full_ext = std::make_unique<EnvelopeExtensions>(*fx.head.extensions);
  full_ext->dsn_ret = protocol::kRetFull;
  fx.head.extensions = std::move(full_ext);
  auto full = fx.make({{"a@x.test", &fx.outcome, 0}}, protocol::InlineOriginal::kAll);
  ASSERT_TRUE(full);
  EXPECT_NE(full->body->find("the body text"), std::string::npos);
}

TEST(BounceMakerDsn, Smtputf8OriginalGetsAGlobalReport) {
  Fixture fx;
  auto ext = std::make_unique<EnvelopeExtensions>();
  ext->smtputf8 = true;
  fx.head.extensions = std::move(ext);
  auto bounce = fx.make({{"j\xc3\xb6rg@x.test", &fx.outcome, 0}}, protocol::InlineOriginal::kHeaders);
  ASSERT_TRUE(bounce) << bounce.error().message;
  const std::string& body = *bounce->body;
  EXPECT_NE(body.find("report-type=global-delivery-status"), std::string::npos) << body;
  EXPECT_NE(body.find("Content-Type: message/global-delivery-status\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("Final-Recipient: utf-8; j\xc3\xb6rg@x.test\r\n"), std::string::npos) << body;
  fx.head.extensions.reset();
  auto plain = fx.make({{"a@x.test", &fx.outcome, 0}}, protocol::InlineOriginal::kHeaders);
  ASSERT_TRUE(plain);
  EXPECT_NE(plain->body->find("Content-Type: message/delivery-status\r\n"), std::string::npos);
}

}  // namespace
}  // namespace impulse::queue
