// DSN: builds the bounce, delay warning or success report ("delivered", or
// "relayed" to a next hop without DSN, RFC 3461 §6.2.2) that Impulse sends to
// a message's envelope sender, as an RFC 3464 delivery status notification
// inside an RFC 6522 multipart/report. Pure: a request in, the message bytes
// out.
//
// Layout of the result (CRLF line endings, no line over 998 octets):
//   From / To / Subject / Date / Message-ID / Auto-Submitted: auto-replied /
//   In-Reply-To + References (when the original has a Message-ID) /
//   MIME-Version / Content-Type: multipart/report; report-type=delivery-status
//   1. text/plain (us-ascii): what happened, one paragraph per recipient.
//   2. message/delivery-status (7bit): Original-Envelope-Id, Reporting-MTA,
//      Arrival-Date, X-Impulse-Message-Id (SPEC §10: the original's id names
//      it in its bounce); then per recipient Original-Recipient,
//      Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code: smtp,
//      Last-Attempt-Date, Will-Retry-Until.
//   3. per bounces_inline_original: none -> absent; headers ->
//      text/rfc822-headers; all -> message/rfc822 with the whole original.
//
// Leaves to the caller: the envelope. A bounce is sent with a null reverse
// path (MAIL FROM:<>) to the original envelope sender, and is not generated at
// all when the original sender was null or generate_bounces is false (SPEC
// §5). Also the caller's: choosing a unique Message-ID and boundary seed (so
// this stays pure), and sending with BODY=8BITMIME when Dsn::eight_bit.
//
// 8-bit and odd originals: content is first normalised to CRLF. Headers with
// 8-bit octets, NULs or lines over 998 octets are sent quoted-printable
// (text/rfc822-headers is a text type, so that is allowed). message/rfc822
// may only be 7bit or 8bit (RFC 2046 §5.2.1): an 8-bit original is carried
// unchanged with Content-Transfer-Encoding 8bit (and eight_bit is set); an
// original that cannot be carried unchanged at all (NUL octets or lines over
// 998 octets) is replaced by its headers, with a note in part 1.
// Text from remote servers is reduced to printable ASCII (header_safe) in
// parts 1 and 2.
//
// Threading: pure; safe from any thread.
// Failure modes: an invalid request (no recipients, empty Reporting-MTA,
// bad boundary seed) is an Error value.
// Spec: reference/protocols.md §1.12 (RFC 3464, RFC 6522), §1.13;
// reference/momentum.md §7.3 (bounces_inline_original, mailerdaemon).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "protocol/enhanced_status.hpp"

namespace impulse::protocol {

// bounces_inline_original: none | headers | all (default headers, SPEC §10).
enum class InlineOriginal { kNone, kHeaders, kAll };
std::optional<InlineOriginal> parse_inline_original(std::string_view value);  // case-insensitive

// RFC 3464 §2.3.3 Action values Impulse reports.
enum class DsnAction { kFailed, kDelayed, kDelivered, kRelayed };
std::string_view dsn_action_name(DsnAction action);  // "failed", "delayed", "delivered", "relayed"

struct DsnRecipient {
  std::string final_recipient;     // envelope address as received, without <>
  std::string original_recipient;  // ORCPT as "rfc822;addr" (decoded); empty = none
  DsnAction action = DsnAction::kFailed;
  // The full reply, "550 5.1.1 <a@b>: Recipient address rejected", or one of
  // Momentum's [internal] texts. Multi-line replies may keep their CRLFs.
  std::string diagnostic;
  std::string remote_mta;                // host name (or [address]) that replied; empty = none
  std::optional<EnhancedStatus> status;  // empty = taken from diagnostic
  std::optional<WallTime> last_attempt;
  std::optional<WallTime> will_retry_until;  // written only for kDelayed
};

struct DsnRequest {
  std::string reporting_mta;  // our host name: "Reporting-MTA: dns; <this>"
  std::string from;           // the mailerdaemon option, e.g. "mailer-daemon@mta.example.com"
  std::string to;             // the original envelope sender
  std::string message_id;     // of the bounce, without <>; e.g. "<id>@<reporting_mta>"
  std::string boundary_seed;  // 1-60 chars of [A-Za-z0-9'()+_,-./:=?]; extended if it collides
  WallTime date{};
  std::optional<WallTime> arrival_date;  // reception of the original
  std::string envelope_id;               // ENVID (decoded); empty = none
  std::string original_id;               // Impulse's message id of the original; empty = none
  std::string subject;                   // empty = default per action
  std::vector<DsnRecipient> recipients;
  InlineOriginal inline_original = InlineOriginal::kHeaders;
  std::string_view original;  // the original message (headers and body)
  // The original was SMTPUTF8 (RFC 6533): the report is
  // message/global-delivery-status with UTF-8 addresses as "utf-8;" kept.
  bool global = false;
};

struct Dsn {
  std::string bytes;        // the complete message, headers and body, CRLF
  std::string boundary;     // the boundary actually used
  bool eight_bit = false;   // contains 8-bit octets: send with BODY=8BITMIME
  bool original_truncated = false;  // kAll was asked but only headers could be carried
};

inline constexpr std::string_view kDsnSubjectFailed = "Delivery Status Notification (Failure)";
inline constexpr std::string_view kDsnSubjectDelayed = "Delivery Status Notification (Delay)";
inline constexpr std::string_view kDsnSubjectSuccess = "Delivery Status Notification (Success)";
// The default subject of a report: failed wins over delayed, delayed over
// delivered/relayed.
Result<Dsn> build_dsn(const DsnRequest& request);

// The Status a recipient group will carry: status if given, else the
// enhanced code of the diagnostic (or its reply-code default), else 5.0.0
// for failed / 4.0.0 for delayed / 2.0.0 for delivered and relayed. A status
// of the wrong class for the action (2.x.x failed or delayed, 4/5.x.x
// delivered or relayed) is replaced by that default.
EnhancedStatus dsn_status_for(const DsnRecipient& r);

}  // namespace impulse::protocol
