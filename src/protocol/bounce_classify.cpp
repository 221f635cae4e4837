// Implementation of protocol/bounce_classify.hpp. The rule order is the one
// documented in the header; keep the two in step.
#include "protocol/bounce_classify.hpp"

#include <array>
#include <initializer_list>
#include <string>

#include "base/strings.hpp"

namespace impulse::protocol {
namespace {

using Phrases = std::initializer_list<std::string_view>;

bool contains_any(std::string_view lowered, Phrases phrases) {
  for (auto p : phrases)
    if (lowered.find(p) != std::string_view::npos) return true;
  return false;
}

// Rule 2: Momentum's own texts (reference/momentum.md §7.6).
std::optional<BounceClass> classify_internal(std::string_view t) {
  if (t.find("[internal]") == std::string_view::npos) return std::nullopt;
  if (contains_any(t, {"exceeded max time", "exceeded max retries", "message expired", "timed out"}))
    return BounceClass::kTimeout;
  if (contains_any(t, {"domain lookup failed", "null mx", "no mx or a for domain"})) return BounceClass::kDnsFailure;
  if (contains_any(t, {"manually", "blackholed", "by policy", "private/loopback", "[oob]"}))
    return BounceClass::kAdminFailure;
  return BounceClass::kTransientFailure;
}

// Rule 3: enhanced codes whose meaning does not depend on the text.
std::optional<BounceClass> classify_status(const EnhancedStatus& s) {
  switch (s.subject) {
    case 1:
      if (s.detail == 1 || s.detail == 3 || s.detail == 6) return BounceClass::kInvalidRecipient;
      if (s.detail == 2 || s.detail == 10) return BounceClass::kDnsFailure;
      if (s.detail == 7 || s.detail == 8) return BounceClass::kMailBlock;
      break;
    case 2:
      if (s.detail == 1) return BounceClass::kInvalidRecipient;
      if (s.detail == 2) return BounceClass::kMailboxFull;
      if (s.detail == 3) return BounceClass::kTooLarge;
      break;
    case 3:
      if (s.detail == 4) return BounceClass::kTooLarge;
      break;
    case 4:
      if (s.detail == 3 || s.detail == 4) return BounceClass::kDnsFailure;
      if (s.detail == 1 || s.detail == 7) return BounceClass::kTimeout;
      break;
    default:
      break;
  }
  return std::nullopt;
}

// Rule 4: keywords, first match wins.
std::optional<BounceClass> classify_keywords(std::string_view t, int klass) {
  // Momentum's own administrative texts that carry no [internal] marker
  // ("554 manually failed" from `message fail`).
  if (contains_any(t, {"manually failed", "manually purged", "manually delayed"})) return BounceClass::kAdminFailure;
  if (contains_any(t, {"relay access denied", "relaying denied", "relaying not", "relay not", "not permitted to relay",
                       "unable to relay", "relay denied", "do not relay", "rcpthosts", "not allowed to relay",
                       "relaying is not"}))
    return BounceClass::kRelayingDenied;
  if (contains_any(t, {"attachment", "file type", "executable", "prohibited file"}))
    return BounceClass::kProhibitedAttachment;
  if (contains_any(t, {"spamhaus", "spamcop", "blocklist", "block list", "blacklist", "black list", "blocked using",
                       "dnsbl", "listed at", "listed in", "listed on", "reputation", "complaint"}))
    return BounceClass::kSpamBlock;
  if (contains_any(t, {"spam", "junk", "phish", "virus", "malware", "infected", "unsolicited", "content rejected",
                       "message content", "bulk mail"}))
    return BounceClass::kSpamContent;
  if (contains_any(t, {"domain not found", "host not found", "host unknown", "name service error", "unknown domain",
                       "no such domain", "domain does not exist", "domain lookup", "dns error", "dns failure",
                       "dns lookup", "dns problem", "no mx", "null mx", "unrouteable domain"}))
    return BounceClass::kDnsFailure;
  if (contains_any(t, {"no valid recipients", "no recipients", "no valid rcpt"})) return BounceClass::kNoRcpt;
  if (contains_any(t, {"user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient",
                       "no such account", "mailbox unavailable", "mailbox not found", "mailbox does not exist",
                       "does not exist", "doesn't exist", "invalid recipient", "recipient unknown",
                       "unknown recipient", "recipient not found", "user not found", "address unknown",
                       "invalid mailbox", "mailbox disabled", "account disabled", "account is disabled",
                       "not a valid mailbox", "unrouteable address", "no mailbox", "bad destination mailbox",
                       "address rejected: user", "inactive"}))
    return BounceClass::kInvalidRecipient;
  if (contains_any(t, {"mailbox full", "mailbox is full", "over quota", "quota exceeded", "exceeded storage",
                       "exceeds quota", "over its quota", "full mailbox", "out of storage", "storage allocation",
                       "insufficient storage in mailbox"}))
    return BounceClass::kMailboxFull;
  if (contains_any(t, {"too large", "too big", "size limit", "exceeds size", "size exceeds", "message length exceeds",
                       "message size"}))
    return BounceClass::kTooLarge;
  if (contains_any(t, {"timed out", "timeout", "time out", "expired"})) return BounceClass::kTimeout;
  if (contains_any(t, {"greylist", "graylist", "try again", "try later", "temporar", "deferred", "come back later",
                       "retry later", "please retry"}))
    return klass == 5 ? BounceClass::kSoftBounce : BounceClass::kTransientFailure;
  if (contains_any(t, {"blocked", "block", "denied", "refused", "banned", "not authorized", "not permitted",
                       "policy", "prohibited", "rejected for", "rate limit"}))
    return BounceClass::kMailBlock;
  return std::nullopt;
}

}  // namespace

std::string_view bounce_class_name(BounceClass c) {
  switch (c) {
    case BounceClass::kUndetermined: return "Undetermined";
    case BounceClass::kInvalidRecipient: return "Invalid Recipient";
    case BounceClass::kSoftBounce: return "Soft Bounce";
    case BounceClass::kDnsFailure: return "DNS Failure";
    case BounceClass::kMailboxFull: return "Mailbox Full";
    case BounceClass::kTooLarge: return "Too Large";
    case BounceClass::kTimeout: return "Timeout";
    case BounceClass::kAdminFailure: return "Admin Failure";
    case BounceClass::kNoRcpt: return "Generic Bounce: No RCPT";
    case BounceClass::kGenericBounce: return "Generic Bounce";
    case BounceClass::kMailBlock: return "Mail Block";
    case BounceClass::kSpamBlock: return "Spam Block";
    case BounceClass::kSpamContent: return "Spam Content";
    case BounceClass::kProhibitedAttachment: return "Prohibited Attachment";
    case BounceClass::kRelayingDenied: return "Relaying Denied";
    case BounceClass::kAutoReply: return "Auto-Reply";
    case BounceClass::kTransientFailure: return "Transient Failure";
    case BounceClass::kSubscribe: return "Subscribe";
    case BounceClass::kUnsubscribe: return "Unsubscribe";
    case BounceClass::kChallengeResponse: return "Challenge-Response";
  }
  return "Undetermined";
}

namespace {
BounceClass classify_by_rules(int klass, std::optional<EnhancedStatus> status, std::string_view text);
}  // namespace

// A 4xx reply is transient by definition: it never lands in one of
// Momentum's hard classes (10 Invalid Recipient, 30 No RCPT, 90 Unsubscribe);
// "450 4.2.1 mailbox busy" is a soft bounce, not an invalid recipient.
BounceClass classify_bounce(int reply_code, std::optional<EnhancedStatus> status, std::string_view text) {
  int klass = 0;
  if (reply_code >= 200 && reply_code <= 599) klass = reply_code / 100;
  if (status && klass == 0) klass = status->klass;
  BounceClass c = classify_by_rules(klass, status, text);
  if (klass == 4 && (c == BounceClass::kInvalidRecipient || c == BounceClass::kNoRcpt)) return BounceClass::kSoftBounce;
  return c;
}

namespace {
BounceClass classify_by_rules(int klass, std::optional<EnhancedStatus> status, std::string_view text) {
  if (klass != 4 && klass != 5) return BounceClass::kUndetermined;  // rule 1

  const std::string lowered = to_lower(text);
  if (auto c = classify_internal(lowered)) return *c;           // rule 2
  if (status)
    if (auto c = classify_status(*status)) return *c;           // rule 3
  if (auto c = classify_keywords(lowered, klass)) return *c;    // rule 4

  // Rule 5.
  if (status && status->subject == 7) return BounceClass::kMailBlock;
  if (klass == 5 && status && (status->subject == 1 || status->subject == 2)) return BounceClass::kInvalidRecipient;
  return klass == 4 ? BounceClass::kTransientFailure : BounceClass::kGenericBounce;
}
}  // namespace

BounceClass classify_reply(std::string_view reply) {
  auto code = parse_reply_code(reply);
  return classify_bounce(code.value_or(0), extract_enhanced_status(reply), reply);
}

}  // namespace impulse::protocol
