// Tests for protocol/bounce_classify.hpp: typical real-world replies from
// large receivers, common MTAs and Momentum's own [internal] texts, each
// mapped to the bouncelog classification code documented in the header.
#include "protocol/bounce_classify.hpp"

#include <gtest/gtest.h>

using namespace impulse::protocol;

namespace {
int code(std::string_view reply) { return bounce_class_code(classify_reply(reply)); }
}  // namespace

TEST(BounceClassify, CodesAreMomentumNumbers) {
  EXPECT_EQ(bounce_class_code(BounceClass::kUndetermined), 1);
  EXPECT_EQ(bounce_class_code(BounceClass::kInvalidRecipient), 10);
  EXPECT_EQ(bounce_class_code(BounceClass::kSoftBounce), 20);
  EXPECT_EQ(bounce_class_code(BounceClass::kDnsFailure), 21);
  EXPECT_EQ(bounce_class_code(BounceClass::kMailboxFull), 22);
  EXPECT_EQ(bounce_class_code(BounceClass::kTooLarge), 23);
  EXPECT_EQ(bounce_class_code(BounceClass::kTimeout), 24);
  EXPECT_EQ(bounce_class_code(BounceClass::kAdminFailure), 25);
  EXPECT_EQ(bounce_class_code(BounceClass::kNoRcpt), 30);
  EXPECT_EQ(bounce_class_code(BounceClass::kGenericBounce), 40);
  EXPECT_EQ(bounce_class_code(BounceClass::kMailBlock), 50);
  EXPECT_EQ(bounce_class_code(BounceClass::kSpamBlock), 51);
  EXPECT_EQ(bounce_class_code(BounceClass::kSpamContent), 52);
  EXPECT_EQ(bounce_class_code(BounceClass::kProhibitedAttachment), 53);
  EXPECT_EQ(bounce_class_code(BounceClass::kRelayingDenied), 54);
  EXPECT_EQ(bounce_class_code(BounceClass::kAutoReply), 60);
  EXPECT_EQ(bounce_class_code(BounceClass::kTransientFailure), 70);
  EXPECT_EQ(bounce_class_code(BounceClass::kSubscribe), 80);
  EXPECT_EQ(bounce_class_code(BounceClass::kUnsubscribe), 90);
  EXPECT_EQ(bounce_class_code(BounceClass::kChallengeResponse), 100);
  EXPECT_EQ(bounce_class_name(BounceClass::kInvalidRecipient), "Invalid Recipient");
  EXPECT_EQ(bounce_class_name(BounceClass::kNoRcpt), "Generic Bounce: No RCPT");
}

TEST(BounceClassify, InvalidRecipient) {
  EXPECT_EQ(code("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox "
                 "table"), 10);
  EXPECT_EQ(code("550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
                 "550 5.1.1 double-checking the recipient's email address for typos"), 10);
  EXPECT_EQ(code("550 No such user here"), 10);                          // keyword, no enhanced code
  EXPECT_EQ(code("550 5.5.0 Requested action not taken: mailbox unavailable"), 10);
  EXPECT_EQ(code("550 5.2.1 The email account that you tried to reach is disabled"), 10);
  EXPECT_EQ(code("553 5.1.3 Bad recipient address syntax"), 10);
  EXPECT_EQ(code("550 5.1.0 Address rejected"), 10);                     // 5.1.x fallback
}

TEST(BounceClassify, MailboxFull) {
  EXPECT_EQ(code("452-4.2.2 The email account that you tried to reach is over quota"), 22);
  EXPECT_EQ(code("552 5.2.2 Mailbox full"), 22);
  EXPECT_EQ(code("552 Requested mail action aborted: exceeded storage allocation"), 22);
  EXPECT_EQ(code("450 4.2.0 user mailbox is full"), 22);
}

TEST(BounceClassify, TooLarge) {
  EXPECT_EQ(code("552 5.3.4 Message size exceeds fixed limit"), 23);
  EXPECT_EQ(code("552 5.2.3 Message length exceeds administrative limit"), 23);
  EXPECT_EQ(code("552 Message too large"), 23);
}

TEST(BounceClassify, DnsFailure) {
  EXPECT_EQ(code("554 5.4.4 [internal] Domain Lookup Failed"), 21);
  EXPECT_EQ(code("550 5.4.4 [internal] NULL MX domain does not accept mail"), 21);
  EXPECT_EQ(code("454 4.4.4 [internal] no MX or A for domain"), 21);
  EXPECT_EQ(code("550 5.1.2 Host unknown (Name server: example.invalid: host not found)"), 21);
  EXPECT_EQ(code("450 4.1.2 <a@example.invalid>: Recipient address rejected: Domain not found"), 21);
  EXPECT_EQ(code("550 Host not found"), 21);
}

TEST(BounceClassify, TimeoutAndExpiry) {
  EXPECT_EQ(code("554 5.4.7 [internal] exceeded max time without delivery"), 24);  // Momentum's own example
  EXPECT_EQ(code("554 5.4.7 [internal] exceeded max retries without delivery"), 24);
  EXPECT_EQ(code("554 5.4.5 [internal] Delivery not attempted (message expired)"), 24);
  EXPECT_EQ(code("450 4.4.1 [internal] Connection Timed Out"), 24);
  EXPECT_EQ(code("451 Timeout waiting for client input"), 24);
}

TEST(BounceClassify, AdminFailure) {
  EXPECT_EQ(code("554 5.7.0 [internal] Message manually purged"), 25);
  EXPECT_EQ(code("554 5.7.0 [internal] Blackholed"), 25);
  EXPECT_EQ(code("550 5.7.1 [internal] discarded by policy"), 25);
  EXPECT_EQ(code("551 5.4.6 [internal] Private/Loopback Address"), 25);
}

TEST(BounceClassify, InternalConnectionFailuresAreTransient) {
  EXPECT_EQ(code("421 4.4.0 [internal] no MXs for this domain could be reached at this time"), 70);
  EXPECT_EQ(code("451 4.4.2 [internal] connection closed by remote host"), 70);
  EXPECT_EQ(code("451 4.7.5 [internal] TLS negotiation failed"), 70);
}

TEST(BounceClassify, RelayingDenied) {
  EXPECT_EQ(code("554 5.7.1 <a@b.example>: Relay access denied"), 54);
  EXPECT_EQ(code("550 5.7.1 relaying denied"), 54);  // Momentum's listener text
  EXPECT_EQ(code("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"), 54);
  EXPECT_EQ(code("550 5.7.64 TenantAttribution; Relay Access Denied"), 54);
}

TEST(BounceClassify, SpamBlock) {
  EXPECT_EQ(code("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"), 51);
  EXPECT_EQ(code("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet "
                 "service provider since part of their network is on our block list (S3150)"), 51);
  EXPECT_EQ(code("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user "
                 "complaints"), 51);
  EXPECT_EQ(code("550 5.7.1 Our system has detected that this message is likely suspicious due to the very low "
                 "reputation of the sending IP address"), 51);
}

TEST(BounceClassify, SpamContent) {
  EXPECT_EQ(code("550 5.7.1 Message rejected as spam by Content Filtering"), 52);
  EXPECT_EQ(code("554 5.7.1 The message was rejected because it contains prohibited virus or spam content"), 52);
  EXPECT_EQ(code("550 High probability of spam"), 52);
}

TEST(BounceClassify, ProhibitedAttachment) {
  EXPECT_EQ(code("552 5.7.0 This message was blocked because its content presents a potential security issue. "
                 "Please visit https://support.google.com/mail/?p=BlockedMessage to review our message content "
                 "and attachment content guidelines"), 53);
  EXPECT_EQ(code("554 5.6.1 Attachment type not allowed"), 53);
}

TEST(BounceClassify, NoRcpt) {
  EXPECT_EQ(code("554 5.5.1 Error: no valid recipients"), 30);
}

TEST(BounceClassify, TransientFailure) {
  EXPECT_EQ(code("451 4.7.1 Greylisting in action, please come back later"), 70);
  EXPECT_EQ(code("450 4.2.0 <a@b>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/"), 70);
  EXPECT_EQ(code("421 4.4.5 Service unavailable, concurrency limit reached"), 70);  // fallback for 4xx
  EXPECT_EQ(code("451 4.3.0 Local error in processing"), 70);
  EXPECT_EQ(code("421 no adequate servers"), 70);
}

TEST(BounceClassify, SoftBounceIsPermanentReplySayingTryLater) {
  EXPECT_EQ(code("550 5.3.0 Mail system temporarily unavailable, try again later"), 20);
}

TEST(BounceClassify, MailBlock) {
  EXPECT_EQ(code("550 5.7.1 <a@b>: Recipient address rejected: Access denied"), 50);
  EXPECT_EQ(code("554 5.7.1 Message refused"), 50);
  EXPECT_EQ(code("550 5.7.26 Unauthenticated email is not accepted from this domain"), 50);  // subject 7 fallback
  EXPECT_EQ(code("553 5.1.8 <s@bad.example>: Sender address rejected: Domain not found"), 50);
  EXPECT_EQ(code("450 4.7.1 Client host rejected: cannot find your hostname"), 50);
}

TEST(BounceClassify, GenericBounce) {
  EXPECT_EQ(code("554 5.0.0 Service unavailable"), 40);
  EXPECT_EQ(code("500 5.5.2 Syntax error"), 40);
  EXPECT_EQ(code("552 No such account"), 10);
  EXPECT_EQ(code("554 Transaction failed"), 40);
}

TEST(BounceClassify, Undetermined) {
  EXPECT_EQ(code(""), 1);
  EXPECT_EQ(code("garbage"), 1);
  EXPECT_EQ(code("250 2.0.0 Ok: queued"), 1);
  EXPECT_EQ(code("354 go ahead"), 1);
}

TEST(BounceClassify, EnhancedCodeBeatsKeywords) {
  // The text says "spam", but 5.1.1 decides: the address is invalid.
  EXPECT_EQ(code("550 5.1.1 spamtrap@example.com: user unknown"), 10);
  // The text says "user unknown", but 5.2.2 decides.
  EXPECT_EQ(code("552 5.2.2 mailbox of user unknown is full"), 22);
}

TEST(BounceClassify, PartsApiMatchesRawApi) {
  EXPECT_EQ(classify_bounce(550, EnhancedStatus{5, 1, 1}, "User unknown"), BounceClass::kInvalidRecipient);
  EXPECT_EQ(classify_bounce(0, EnhancedStatus{4, 2, 2}, "over quota"), BounceClass::kMailboxFull);
  EXPECT_EQ(classify_bounce(0, std::nullopt, "user unknown"), BounceClass::kUndetermined);
  EXPECT_EQ(classify_bounce(550, std::nullopt, "user unknown"), BounceClass::kInvalidRecipient);
}

TEST(BounceClassify, MessageFailTextIsAdminFailure) {
  EXPECT_EQ(classify_reply("554 manually failed"), BounceClass::kAdminFailure);
  EXPECT_EQ(classify_reply("554 5.7.0 [internal] Message manually purged"), BounceClass::kAdminFailure);
}

TEST(BounceClassify, TransientReplyNeverLandsInAHardClass) {
  EXPECT_EQ(classify_reply("450 4.2.1 mailbox busy"), BounceClass::kSoftBounce);
  EXPECT_EQ(classify_reply("550 5.2.1 mailbox disabled"), BounceClass::kInvalidRecipient);
}
