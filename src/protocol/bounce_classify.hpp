// Bounce classification: maps a failure reply (reply code, enhanced status,
// text) to one of Momentum's bouncelog classification codes, so bouncelog
// consumers see the same categories Momentum writes.
//
// Leaves to others: writing the bouncelog (log/bouncelog*), deciding retry or
// bounce (queue). Out-of-band categories (60 Auto-Reply, 80 Subscribe, 90
// Unsubscribe, 100 Challenge-Response) belong to parsing received bounce
// messages, which Impulse does not do; they are named here but never returned.
// Threading: pure functions over constant tables; safe from any thread.
// Failure modes: none; an unrecognisable reply is kUndetermined (1).
// Spec: reference/momentum.md §7.3 (codes; Momentum's classifier is not
// published, so the rules below are Impulse's own, documented here):
//
//   1. No reply code and no enhanced status (garbage, empty, 2xx/3xx)
//      -> 1 Undetermined.
//   2. Momentum's own "[internal]" texts are matched by phrase
//      (expiry and timeouts -> 24, DNS -> 21, policy/admin actions -> 25,
//      other connection failures -> 70).
//   3. Enhanced status with a specific meaning (RFC 3463), whatever the class:
//      X.1.1 X.1.3 X.1.6 X.2.1 -> 10 Invalid Recipient;
//      X.1.2 X.1.10 X.4.3 X.4.4 -> 21 DNS Failure;
//      X.2.2 -> 22 Mailbox Full; X.2.3 X.3.4 -> 23 Too Large;
//      X.4.1 X.4.7 -> 24 Timeout; X.1.7 X.1.8 (bad sender) -> 50 Mail Block.
//   4. Keywords in the text, case-insensitive, first match wins, in this
//      order: relaying (54), attachment (53), block lists / reputation (51),
//      spam or virus content (52), DNS (21), no recipients (30), invalid
//      recipient (10), mailbox full (22), too large (23), timeout (24),
//      greylisting / "try again later" (70 for a 4xx, 20 Soft Bounce for a
//      5xx), generic blocking words (50).
//   5. Fallback by status: subject 7 (security/policy) -> 50 Mail Block;
//      5.1.x / 5.2.x -> 10 Invalid Recipient; other 4xx -> 70 Transient
//      Failure; other 5xx -> 40 Generic Bounce.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/enhanced_status.hpp"

namespace impulse::protocol {

enum class BounceClass : int {
  kUndetermined = 1,
  kInvalidRecipient = 10,
  kSoftBounce = 20,
  kDnsFailure = 21,
  kMailboxFull = 22,
  kTooLarge = 23,
  kTimeout = 24,
  kAdminFailure = 25,
  kNoRcpt = 30,
  kGenericBounce = 40,
  kMailBlock = 50,
  kSpamBlock = 51,
  kSpamContent = 52,
  kProhibitedAttachment = 53,
  kRelayingDenied = 54,
  kAutoReply = 60,
  kTransientFailure = 70,
  kSubscribe = 80,
  kUnsubscribe = 90,
  kChallengeResponse = 100,
};

// The number written in the bouncelog.
constexpr int bounce_class_code(BounceClass c) { return static_cast<int>(c); }
// Momentum's name for the class ("Invalid Recipient").
std::string_view bounce_class_name(BounceClass c);

// Classifies from parts already parsed. reply_code 0 = none; text is the
// whole reply (or the text after the code), used for keywords.
BounceClass classify_bounce(int reply_code, std::optional<EnhancedStatus> status, std::string_view text);

// Classifies a raw reply such as "550 5.1.1 <a@b>: Recipient address rejected"
// or a Momentum [internal] text; multi-line replies are taken whole.
BounceClass classify_reply(std::string_view reply);

}  // namespace impulse::protocol
