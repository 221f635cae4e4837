// Implementation of protocol/dsn.hpp.
#include "protocol/dsn.hpp"

#include "protocol/dsn_params.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "protocol/dsn_text.hpp"

namespace impulse::protocol {
namespace {

constexpr std::size_t kMaxBoundarySeed = 60;
constexpr std::size_t kWrapColumn = 76;

bool is_boundary_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

// Word-wraps one paragraph of printable ASCII into CRLF lines of at most
// kWrapColumn columns, each starting with indent spaces.
std::string wrap(std::string_view text, std::size_t indent) {
  std::string out;
  std::string line(indent, ' ');
  bool line_has_word = false;
  for (auto word : split(text, ' ')) {
    if (word.empty()) continue;
    if (line_has_word && line.size() + 1 + word.size() > kWrapColumn) {
      out += line + "\r\n";
      line.assign(indent, ' ');
      line_has_word = false;
    }
    while (line.size() + word.size() + 1 > kMaxLineOctets) {  // pathological word
      std::size_t take = kMaxLineOctets - line.size() - 1;
      out += line + std::string(word.substr(0, take)) + "\r\n";
      word.remove_prefix(take);
      line.assign(indent, ' ');
      line_has_word = false;
    }
    if (line_has_word) line += ' ';
    line.append(word);
    line_has_word = true;
  }
  if (line_has_word) out += line + "\r\n";
  return out;
}

bool plausible_msg_id(std::string_view v) {
  return v.size() >= 3 && v.size() <= 900 && v.front() == '<' && v.back() == '>' &&
         v.find_first_of(" ?") == std::string_view::npos;
}

struct OriginalPart {
  std::string header_block;  // part headers, ending with the blank line
  std::string content;
  bool eight_bit = false;
  bool truncated = false;
};

OriginalPart headers_part(std::string_view crlf_message) {
  OriginalPart p;
  std::string_view headers = header_section(crlf_message);
  const bool clean = is_7bit_clean(scan_content(headers));
  p.content = clean ? std::string(headers) : quoted_printable(headers);
  p.header_block = fmt::format(
      "Content-Type: text/rfc822-headers\r\n"
      "Content-Description: Undelivered message headers\r\n"
      "Content-Transfer-Encoding: {}\r\n\r\n",
      clean ? "7bit" : "quoted-printable");
  return p;
}

std::optional<OriginalPart> original_part(const DsnRequest& rq) {
  if (rq.inline_original == InlineOriginal::kNone || rq.original.empty()) return std::nullopt;
  std::string message = normalize_crlf(rq.original);
  if (!message.ends_with("\r\n")) message += "\r\n";
  if (rq.inline_original == InlineOriginal::kHeaders) return headers_part(message);

  const ContentScan scan = scan_content(message);
  if (!is_8bit_clean(scan)) {
    OriginalPart p = headers_part(message);
    p.truncated = true;
    return p;
  }
  OriginalPart p;
  p.eight_bit = scan.eight_bit;
  p.header_block = fmt::format(
      "Content-Type: message/rfc822\r\n"
      "Content-Description: Undelivered message\r\n"
      "Content-Transfer-Encoding: {}\r\n\r\n",
      p.eight_bit ? "8bit" : "7bit");
  p.content = std::move(message);
  return p;
}

std::string human_part(const DsnRequest& rq, const std::optional<OriginalPart>& original) {
  bool any_failed = false, any_delayed = false, any_delivered = false, any_relayed = false;
  for (const auto& r : rq.recipients) {
    switch (r.action) {
      case DsnAction::kFailed: any_failed = true; break;
      case DsnAction::kDelayed: any_delayed = true; break;
      case DsnAction::kDelivered: any_delivered = true; break;
      case DsnAction::kRelayed: any_relayed = true; break;
    }
  }

  std::string text = wrap(fmt::format("This is the mail delivery system at {}.", header_safe(rq.reporting_mta)), 0);
  text += "\r\n";
  if (any_failed) {
    text += wrap(
        "Your message could not be delivered to one or more of its recipients. This is a permanent error: "
        "delivery to the recipients marked as failed below will not be tried again.",
        0);
    text += "\r\n";
  }
  if (any_delayed) {
    text += wrap(
        "Your message has not yet been delivered to one or more of its recipients. Delivery to the recipients "
        "marked as delayed below is still being tried; you do not need to send the message again.",
        0);
    text += "\r\n";
  }
  if (any_delivered) {
    text += wrap("Your message was delivered to the recipients marked as delivered below, as you asked to be told.",
                 0);
    text += "\r\n";
  }
  if (any_relayed) {
    text += wrap(
        "Your message was handed to the next mail server for the recipients marked as relayed below. That "
        "server does not send delivery status notifications, so you will get no further notice about them.",
        0);
    text += "\r\n";
  }
  if (!rq.original_id.empty()) {
    text += wrap("Message id: " + header_safe(rq.original_id), 0);
    text += "\r\n";
  }
  for (const auto& r : rq.recipients) {
    std::string head = "<" + header_safe(r.final_recipient) + ">: ";
    switch (r.action) {
      case DsnAction::kFailed: head += "delivery failed"; break;
      case DsnAction::kDelayed:
        head += "delivery delayed";
        if (r.will_retry_until) head += ", will be retried until " + format_rfc5322_date(*r.will_retry_until);
        break;
      case DsnAction::kDelivered: head += "delivered"; break;
      case DsnAction::kRelayed: head += "relayed"; break;
    }
    text += wrap(head, 0);
    const std::string diag = header_safe(r.diagnostic);
    if (!diag.empty()) {
      if (!r.remote_mta.empty())
        text += wrap(fmt::format("The server {} said: {}", header_safe(r.remote_mta), diag), 4);
      else
        text += wrap("Reason: " + diag, 4);
    }
    text += "\r\n";
  }
  if (original) {
    if (original->truncated)
      text += wrap(
          "Only the headers of your message are attached: its content cannot be carried unchanged in this "
          "report (it has NUL octets or lines longer than 998 octets).",
          0);
    else if (rq.inline_original == InlineOriginal::kAll)
      text += wrap("Your message is attached.", 0);
    else
      text += wrap("The headers of your message are attached.", 0);
  }
  return text;
}

// UTF-8 text kept (RFC 6533 global status fields), control octets dropped.
std::string utf8_safe(std::string_view text) {
  std::string out;
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  return out;
}

std::string status_part(const DsnRequest& rq) {
  std::string s;
  if (!rq.envelope_id.empty()) s += fold_field("Original-Envelope-Id", header_safe(rq.envelope_id));
  s += fold_field("Reporting-MTA", "dns; " + header_safe(rq.reporting_mta));
  if (rq.arrival_date) s += fold_field("Arrival-Date", format_rfc5322_date(*rq.arrival_date));
  if (!rq.original_id.empty()) s += fold_field("X-Impulse-Message-Id", header_safe(rq.original_id));
  for (const auto& r : rq.recipients) {
    s += "\r\n";
    if (!r.original_recipient.empty()) {
      if (rq.global && valid_utf8(r.original_recipient))
        s += "Original-Recipient: " + utf8_safe(r.original_recipient) + "\r\n";
      else
        s += fold_field("Original-Recipient", header_safe(r.original_recipient));
    }
    if (rq.global && has_8bit(r.final_recipient) && valid_utf8(r.final_recipient))
      s += "Final-Recipient: utf-8; " + utf8_safe(r.final_recipient) + "\r\n";  // RFC 6533 §3
    else
      s += fold_field("Final-Recipient", "rfc822; " + header_safe(r.final_recipient));
    s += fold_field("Action", std::string(dsn_action_name(r.action)));
    s += fold_field("Status", dsn_status_for(r).to_string());
    if (!r.remote_mta.empty()) s += fold_field("Remote-MTA", "dns; " + header_safe(r.remote_mta));
    const std::string diag = header_safe(r.diagnostic);
    if (!diag.empty()) s += fold_field("Diagnostic-Code", "smtp; " + diag);
    if (r.last_attempt) s += fold_field("Last-Attempt-Date", format_rfc5322_date(*r.last_attempt));
    if (r.action == DsnAction::kDelayed && r.will_retry_until)
      s += fold_field("Will-Retry-Until", format_rfc5322_date(*r.will_retry_until));
  }
  return s;
}

}  // namespace

std::optional<InlineOriginal> parse_inline_original(std::string_view value) {
  if (iequals(value, "none")) return InlineOriginal::kNone;
  if (iequals(value, "headers")) return InlineOriginal::kHeaders;
  if (iequals(value, "all")) return InlineOriginal::kAll;
  return std::nullopt;
}

std::string_view dsn_action_name(DsnAction action) {
  switch (action) {
    case DsnAction::kFailed: return "failed";
    case DsnAction::kDelayed: return "delayed";
    case DsnAction::kDelivered: return "delivered";
    case DsnAction::kRelayed: return "relayed";
  }
  return "failed";
}

EnhancedStatus dsn_status_for(const DsnRecipient& r) {
  std::optional<EnhancedStatus> st = r.status;
  if (!st) st = status_of_reply(r.diagnostic);
  const int klass = r.action == DsnAction::kFailed ? 5 : r.action == DsnAction::kDelayed ? 4 : 2;
  const bool success = klass == 2;
  if (!st || (st->klass == 2) != success) return EnhancedStatus{klass, 0, 0};
  return *st;
}

Result<Dsn> build_dsn(const DsnRequest& rq) {
  if (rq.recipients.empty()) return fail("DSN has no recipients");
  if (header_safe(rq.reporting_mta).empty()) return fail("DSN needs a Reporting-MTA host name");
  if (rq.boundary_seed.empty() || rq.boundary_seed.size() > kMaxBoundarySeed)
    return fail(fmt::format("DSN boundary seed must be 1-{} characters", kMaxBoundarySeed));
  for (char c : rq.boundary_seed)
    if (!is_boundary_char(c)) return fail("DSN boundary seed has a character not allowed in a MIME boundary");

  const std::optional<OriginalPart> original = original_part(rq);
  const std::string human = human_part(rq, original);
  const std::string status = status_part(rq);

  // A boundary must not occur in any part (RFC 2046 §5.1.1).
  std::string boundary = rq.boundary_seed;
  auto collides = [&](const std::string& b) {
    const std::string delim = "--" + b;
    return human.find(delim) != std::string::npos || status.find(delim) != std::string::npos ||
           (original && original->content.find(delim) != std::string::npos);
  };
  for (int n = 1; collides(boundary); ++n) boundary = fmt::format("{}.{}", rq.boundary_seed, n);

  bool any_failed = false, any_delayed = false;
  for (const auto& r : rq.recipients) {
    any_failed |= r.action == DsnAction::kFailed;
    any_delayed |= r.action == DsnAction::kDelayed;
  }
  std::string subject = header_safe(rq.subject);
  if (subject.empty())
    subject = std::string(any_failed ? kDsnSubjectFailed : any_delayed ? kDsnSubjectDelayed : kDsnSubjectSuccess);

  Dsn dsn;
  dsn.boundary = boundary;
  dsn.eight_bit = (original && original->eight_bit) || has_8bit(status);
  dsn.original_truncated = original && original->truncated;

  std::string& m = dsn.bytes;
  m.reserve(human.size() + status.size() + (original ? original->content.size() : 0) + 1024);
  m += fold_field("From", header_safe(rq.from));
  m += fold_field("To", header_safe(rq.to));
  m += fold_field("Subject", subject);
  m += fold_field("Date", format_rfc5322_date(rq.date));
  m += fold_field("Message-ID", "<" + header_safe(rq.message_id) + ">");
  m += "Auto-Submitted: auto-replied\r\n";
  if (!rq.original.empty()) {
    // Thread the bounce with the original when it has a usable Message-ID.
    std::string head = normalize_crlf(header_section(rq.original));
    if (auto id = find_header(head, "Message-ID")) {
      std::string v = header_safe(*id);
      if (plausible_msg_id(v)) {
        m += fold_field("In-Reply-To", v);
        m += fold_field("References", v);
      }
    }
  }
  m += "MIME-Version: 1.0\r\n";
  m += rq.global ? "Content-Type: multipart/report; report-type=global-delivery-status;\r\n"
                 : "Content-Type: multipart/report; report-type=delivery-status;\r\n";
  m += "\tboundary=\"" + boundary + "\"\r\n";
  m += fmt::format("Content-Transfer-Encoding: {}\r\n", dsn.eight_bit ? "8bit" : "7bit");
  m += "\r\n";
  m += "This is a MIME-encapsulated message.\r\n";

  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "Content-Description: Notification\r\n";
  m += "Content-Transfer-Encoding: 7bit\r\n\r\n";
  m += human;

  m += "\r\n--" + boundary + "\r\n";
  m += rq.global ? "Content-Type: message/global-delivery-status\r\n" : "Content-Type: message/delivery-status\r\n";
  m += "Content-Description: Delivery report\r\n";
  m += has_8bit(status) ? "Content-Transfer-Encoding: 8bit\r\n\r\n" : "Content-Transfer-Encoding: 7bit\r\n\r\n";
  m += status;

  if (original) {
    m += "\r\n--" + boundary + "\r\n";
    m += original->header_block;
    m += original->content;
  }
  m += "\r\n--" + boundary + "--\r\n";
  return dsn;
}

}  // namespace impulse::protocol
