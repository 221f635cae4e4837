// Tests for protocol/dsn.hpp: the bounce is taken apart the way a mail client
// would (headers unfolded, multipart split on the boundary, each part's
// headers and body read) and checked field by field against RFC 3464/6522.
#include "protocol/dsn.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "unit/protocol/dsn_test_support.hpp"

using namespace impulse::protocol;
using impulse::WallTime;
using impulse::protocol::dsn_testing::at;
using impulse::protocol::dsn_testing::qp_decode;

namespace {

struct Field {
  std::string name;
  std::string value;
};

// Unfolds and splits a header block (no trailing blank line) into fields.
std::vector<Field> parse_fields(std::string_view block) {
  std::vector<Field> out;
  std::size_t pos = 0;
  while (pos < block.size()) {
    auto eol = block.find("\r\n", pos);
    std::string_view line = block.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? block.size() : eol + 2;
    if (line.empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().value += std::string(line);
      continue;
    }
    auto colon = line.find(':');
    EXPECT_NE(colon, std::string_view::npos) << "not a field: " << line;
    if (colon == std::string_view::npos) continue;
    out.push_back({std::string(line.substr(0, colon)), std::string(impulse::trim(line.substr(colon + 1)))});
  }
  return out;
}

std::string get(const std::vector<Field>& fields, std::string_view name) {
  for (auto& f : fields)
    if (impulse::iequals(f.name, name)) return f.value;
  return "<absent>";
}

int count(const std::vector<Field>& fields, std::string_view name) {
  int n = 0;
  for (auto& f : fields) n += impulse::iequals(f.name, name);
  return n;
}

struct Part {
  std::vector<Field> headers;
  std::string body;
};

struct Parsed {
  std::vector<Field> headers;
  std::string boundary;
  std::string preamble;
  std::vector<Part> parts;
  std::string epilogue;
};

// Splits a message into header fields and, for the multipart body, parts.
Parsed parse_message(const std::string& msg) {
  Parsed p;
  auto end = msg.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  p.headers = parse_fields(std::string_view(msg).substr(0, end + 2));
  std::string body = msg.substr(end + 4);
  std::string ct = get(p.headers, "Content-Type");
  auto b = ct.find("boundary=\"");
  EXPECT_NE(b, std::string::npos) << ct;
  if (b == std::string::npos) return p;
  auto close = ct.find('"', b + 10);
  p.boundary = ct.substr(b + 10, close - (b + 10));
  const std::string delim = "\r\n--" + p.boundary;
  // The preamble ends at the first delimiter (which may also start the body).
  std::string work = "\r\n" + body;
  std::size_t pos = work.find(delim);
  EXPECT_NE(pos, std::string::npos);
  p.preamble = work.substr(2, pos >= 2 ? pos - 2 : 0);
  for (;;) {
    std::size_t after = pos + delim.size();
    if (work.compare(after, 2, "--") == 0) {
      p.epilogue = work.substr(after + 2);
      break;
    }
    EXPECT_EQ(work.compare(after, 2, "\r\n"), 0) << "delimiter line must end right after the boundary";
    std::size_t start = after + 2;
    std::size_t next = work.find(delim, start);
    EXPECT_NE(next, std::string::npos) << "missing close delimiter";
    if (next == std::string::npos) break;
    std::string part = work.substr(start, next - start);
    Part pt;
    auto hend = part.find("\r\n\r\n");
    EXPECT_NE(hend, std::string::npos) << "part without header/body separator";
    pt.headers = parse_fields(std::string_view(part).substr(0, hend + 2));
    pt.body = part.substr(hend + 4);
    p.parts.push_back(std::move(pt));
    pos = next;
  }
  return p;
}

// message/delivery-status body: groups of fields separated by blank lines.
std::vector<std::vector<Field>> parse_groups(const std::string& body) {
  std::vector<std::vector<Field>> groups;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find("\r\n\r\n", pos);
    std::string block = body.substr(pos, end == std::string::npos ? std::string::npos : end + 2 - pos);
    auto fields = parse_fields(block);
    if (!fields.empty()) groups.push_back(std::move(fields));
    if (end == std::string::npos) break;
    pos = end + 4;
  }
  return groups;
}

void expect_wire_safe(const std::string& msg, bool allow_8bit = false) {
  std::size_t pos = 0;
  while (pos < msg.size()) {
    auto eol = msg.find("\r\n", pos);
    ASSERT_NE(eol, std::string::npos) << "message must end with CRLF";
    std::string_view line(msg.data() + pos, eol - pos);
    EXPECT_LE(line.size(), 998u);
    for (unsigned char c : line) {
      EXPECT_NE(c, '\r');
      EXPECT_NE(c, '\n');
      EXPECT_NE(c, 0);
      if (!allow_8bit) {
        EXPECT_LT(c, 0x80) << "8-bit octet in a 7bit message";
      }
    }
    pos = eol + 2;
  }
}

const std::string kOriginalHeaders =
    "Return-Path: <alice@sender.example>\r\n"
    "From: Alice <alice@sender.example>\r\n"
    "To: bob@rcpt.example\r\n"
    "Subject: quarterly numbers\r\n"
    "Message-ID: <orig-1@sender.example>\r\n";
const std::string kOriginalBody = "Hello Bob,\r\nthe numbers are attached.\r\n";
const std::string kOriginal = kOriginalHeaders + "\r\n" + kOriginalBody;

DsnRequest base_request() {
  DsnRequest rq;
  rq.reporting_mta = "mta1.impulse.example";
  rq.from = "mailer-daemon@mta1.impulse.example";
  rq.to = "alice@sender.example";
  rq.message_id = "bounce-1@mta1.impulse.example";
  rq.boundary_seed = "=_impulse_00/00-1234-ABCD";
  rq.date = at(1'700'000'100);
  rq.arrival_date = at(1'700'000'000);
  rq.original_id = "00/00-1234-ABCD";
  DsnRecipient r;
  r.final_recipient = "bob@rcpt.example";
  r.diagnostic = "550 5.1.1 <bob@rcpt.example>: Recipient address rejected: User unknown";
  r.remote_mta = "mx1.rcpt.example";
  r.last_attempt = at(1'700'000'090);
  rq.recipients.push_back(r);
  rq.original = kOriginal;
  return rq;
}

}  // namespace

TEST(Dsn, TopLevelHeaders) {
  auto dsn = build_dsn(base_request());
  ASSERT_TRUE(dsn) << dsn.error().message;
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  EXPECT_EQ(get(p.headers, "From"), "mailer-daemon@mta1.impulse.example");
  EXPECT_EQ(get(p.headers, "To"), "alice@sender.example");
  EXPECT_EQ(get(p.headers, "Subject"), "Delivery Status Notification (Failure)");
  EXPECT_EQ(get(p.headers, "Date"), "Tue, 14 Nov 2023 22:15:00 +0000");
  EXPECT_EQ(get(p.headers, "Message-ID"), "<bounce-1@mta1.impulse.example>");
  EXPECT_EQ(get(p.headers, "Auto-Submitted"), "auto-replied");
  EXPECT_EQ(get(p.headers, "In-Reply-To"), "<orig-1@sender.example>");
  EXPECT_EQ(get(p.headers, "References"), "<orig-1@sender.example>");
  EXPECT_EQ(get(p.headers, "MIME-Version"), "1.0");
  EXPECT_EQ(get(p.headers, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(get(p.headers, "Content-Type"),
            "multipart/report; report-type=delivery-status;\tboundary=\"=_impulse_00/00-1234-ABCD\"");
  EXPECT_EQ(p.boundary, "=_impulse_00/00-1234-ABCD");
  EXPECT_EQ(dsn->boundary, p.boundary);
  EXPECT_FALSE(dsn->eight_bit);
  for (const char* once : {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"})
    EXPECT_EQ(count(p.headers, once), 1) << once;
  EXPECT_EQ(p.epilogue, "\r\n");
}

TEST(Dsn, ThreePartsInOrderWithHeadersByDefault) {
  auto dsn = build_dsn(base_request());
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(get(p.parts[0].headers, "Content-Type"), "text/plain; charset=us-ascii");
  EXPECT_EQ(get(p.parts[0].headers, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(get(p.parts[1].headers, "Content-Type"), "message/delivery-status");
  EXPECT_EQ(get(p.parts[1].headers, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(get(p.parts[2].headers, "Content-Type"), "text/rfc822-headers");
  EXPECT_EQ(get(p.parts[2].headers, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(p.parts[2].body, kOriginalHeaders) << "headers only, no body";
}

TEST(Dsn, DeliveryStatusFieldsPerMessageAndPerRecipient) {
  auto dsn = build_dsn(base_request());
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  const auto& msg = groups[0];
  ASSERT_EQ(msg.size(), 3u);
  EXPECT_EQ(msg[0].name, "Reporting-MTA");
  EXPECT_EQ(msg[0].value, "dns; mta1.impulse.example");
  EXPECT_EQ(msg[1].name, "Arrival-Date");
  EXPECT_EQ(msg[1].value, "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(msg[2].name, "X-Impulse-Message-Id");
  EXPECT_EQ(msg[2].value, "00/00-1234-ABCD");

  const auto& rc = groups[1];
  ASSERT_EQ(rc.size(), 6u);
  EXPECT_EQ(rc[0].name, "Final-Recipient");
  EXPECT_EQ(rc[0].value, "rfc822; bob@rcpt.example");
  EXPECT_EQ(rc[1].name, "Action");
  EXPECT_EQ(rc[1].value, "failed");
  EXPECT_EQ(rc[2].name, "Status");
  EXPECT_EQ(rc[2].value, "5.1.1");
  EXPECT_EQ(rc[3].name, "Remote-MTA");
  EXPECT_EQ(rc[3].value, "dns; mx1.rcpt.example");
  EXPECT_EQ(rc[4].name, "Diagnostic-Code");
  EXPECT_EQ(rc[4].value, "smtp; 550 5.1.1 <bob@rcpt.example>: Recipient address rejected: User unknown");
  EXPECT_EQ(rc[5].name, "Last-Attempt-Date");
  EXPECT_EQ(rc[5].value, "Tue, 14 Nov 2023 22:14:50 +0000");
}

TEST(Dsn, HumanReadablePartNamesRecipientAndReason) {
  auto dsn = build_dsn(base_request());
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  const std::string& text = p.parts[0].body;
  EXPECT_NE(text.find("mail delivery system at mta1.impulse.example"), std::string::npos) << text;
  EXPECT_NE(text.find("<bob@rcpt.example>: delivery failed"), std::string::npos) << text;
  EXPECT_NE(text.find("The server mx1.rcpt.example said: 550 5.1.1"), std::string::npos) << text;
  EXPECT_NE(text.find("Message id: 00/00-1234-ABCD"), std::string::npos) << text;
  EXPECT_NE(text.find("The headers of your message are attached."), std::string::npos) << text;
  for (std::size_t pos = 0, eol; (eol = text.find("\r\n", pos)) != std::string::npos; pos = eol + 2)
    EXPECT_LE(eol - pos, 76u);
}

TEST(Dsn, SeveralRecipientsEachGetAGroup) {
  auto rq = base_request();
  DsnRecipient second;
  second.final_recipient = "carol@rcpt.example";
  second.original_recipient = "rfc822;Carol@Rcpt.Example";
  second.diagnostic = "552 5.2.2 Mailbox full";
  second.remote_mta = "mx2.rcpt.example";
  rq.recipients.push_back(second);
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(get(groups[1], "Final-Recipient"), "rfc822; bob@rcpt.example");
  EXPECT_EQ(groups[2][0].name, "Original-Recipient") << "Original-Recipient comes first (RFC 3464 order)";
  EXPECT_EQ(groups[2][0].value, "rfc822;Carol@Rcpt.Example");
  EXPECT_EQ(get(groups[2], "Final-Recipient"), "rfc822; carol@rcpt.example");
  EXPECT_EQ(get(groups[2], "Status"), "5.2.2");
  EXPECT_EQ(get(groups[2], "Remote-MTA"), "dns; mx2.rcpt.example");
  EXPECT_EQ(get(groups[2], "Last-Attempt-Date"), "<absent>");
}

TEST(Dsn, InternalFailureHasNoRemoteMta) {
  auto rq = base_request();
  rq.recipients[0].remote_mta.clear();
  rq.recipients[0].diagnostic = "554 5.4.7 [internal] exceeded max time without delivery";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(count(groups[1], "Remote-MTA"), 0);
  EXPECT_EQ(get(groups[1], "Status"), "5.4.7");
  EXPECT_EQ(get(groups[1], "Diagnostic-Code"), "smtp; 554 5.4.7 [internal] exceeded max time without delivery");
  EXPECT_NE(p.parts[0].body.find("Reason: 554 5.4.7 [internal]"), std::string::npos);
}

TEST(Dsn, StatusDerivation) {
  DsnRecipient r;
  r.diagnostic = "550 User unknown";
  EXPECT_EQ(dsn_status_for(r).to_string(), "5.0.0") << "no enhanced code: from the reply code";
  r.diagnostic = "";
  EXPECT_EQ(dsn_status_for(r).to_string(), "5.0.0");
  r.action = DsnAction::kDelayed;
  EXPECT_EQ(dsn_status_for(r).to_string(), "4.0.0");
  r.diagnostic = "451 4.4.1 [internal] No valid hosts";
  EXPECT_EQ(dsn_status_for(r).to_string(), "4.4.1");
  r.action = DsnAction::kFailed;
  r.diagnostic = "250 2.0.0 Ok";
  EXPECT_EQ(dsn_status_for(r).to_string(), "5.0.0") << "a success status never goes with failed";
  r.status = EnhancedStatus{5, 7, 1};
  EXPECT_EQ(dsn_status_for(r).to_string(), "5.7.1") << "an explicit status wins";
  r.status.reset();
  r.diagnostic = "421 4.4.7 expired";  // a 4.x.x status may go with failed when retries expire
  EXPECT_EQ(dsn_status_for(r).to_string(), "4.4.7");
}

TEST(Dsn, DelayedNotification) {
  auto rq = base_request();
  rq.recipients[0].action = DsnAction::kDelayed;
  rq.recipients[0].diagnostic = "451 4.7.1 Greylisting in action";
  rq.recipients[0].will_retry_until = at(1'700'086'400);
  rq.inline_original = InlineOriginal::kNone;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  EXPECT_EQ(get(p.headers, "Subject"), "Delivery Status Notification (Delay)");
  ASSERT_EQ(p.parts.size(), 2u);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(get(groups[1], "Action"), "delayed");
  EXPECT_EQ(get(groups[1], "Status"), "4.7.1");
  EXPECT_EQ(get(groups[1], "Will-Retry-Until"), "Wed, 15 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(groups[1].back().name, "Will-Retry-Until");
  EXPECT_NE(p.parts[0].body.find("delivery delayed, will be retried until"), std::string::npos);
}

TEST(Dsn, WillRetryUntilOnlyForDelayed) {
  auto rq = base_request();
  rq.recipients[0].will_retry_until = at(1'700'086'400);
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto groups = parse_groups(parse_message(dsn->bytes).parts[1].body);
  EXPECT_EQ(count(groups[1], "Will-Retry-Until"), 0);
}

TEST(Dsn, InlineNoneHasTwoParts) {
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kNone;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(dsn->bytes.find("Hello Bob"), std::string::npos);
  EXPECT_EQ(dsn->bytes.find("quarterly numbers"), std::string::npos);
}

TEST(Dsn, InlineAllCarriesTheWholeMessage) {
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kAll;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(get(p.parts[2].headers, "Content-Type"), "message/rfc822");
  EXPECT_EQ(get(p.parts[2].headers, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(p.parts[2].body, kOriginal);
  EXPECT_NE(p.parts[0].body.find("Your message is attached."), std::string::npos);
}

TEST(Dsn, EightBitOriginalIsCarriedUnchangedAs8bit) {
  const std::string original = "Subject: caf\xc3\xa9\r\nFrom: a@b\r\n\r\n\xe2\x82\xac 100\r\n";
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kAll;
  rq.original = original;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_TRUE(dsn->eight_bit);
  expect_wire_safe(dsn->bytes, /*allow_8bit=*/true);
  auto p = parse_message(dsn->bytes);
  EXPECT_EQ(get(p.headers, "Content-Transfer-Encoding"), "8bit");
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(get(p.parts[2].headers, "Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(p.parts[2].body, original);
  // Parts 1 and 2 stay 7-bit.
  expect_wire_safe(p.parts[0].body);
  expect_wire_safe(p.parts[1].body);
}

TEST(Dsn, EightBitHeadersAreQuotedPrintable) {
  const std::string headers = "Subject: caf\xc3\xa9 = 5\r\nFrom: a@b\r\n";
  auto rq = base_request();
  const std::string original = headers + "\r\nbody\r\n";  // rq.original is a view: keep it alive
  rq.original = original;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_FALSE(dsn->eight_bit);
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(get(p.parts[2].headers, "Content-Type"), "text/rfc822-headers");
  EXPECT_EQ(get(p.parts[2].headers, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(qp_decode(p.parts[2].body), headers);
}

TEST(Dsn, UncarriableOriginalFallsBackToHeaders) {
  const std::string headers = "Subject: long\r\nFrom: a@b\r\n";
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kAll;
  std::string original = headers + "\r\n" + std::string(2000, 'z') + "\r\n";
  rq.original = original;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_TRUE(dsn->original_truncated);
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(get(p.parts[2].headers, "Content-Type"), "text/rfc822-headers");
  EXPECT_EQ(p.parts[2].body, headers);
  EXPECT_NE(p.parts[0].body.find("Only the headers of your message are attached"), std::string::npos);
}

TEST(Dsn, BareLineEndsInOriginalBecomeCrlf) {
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kAll;
  rq.original = "Subject: lf\nFrom: a@b\n\nline1\nline2";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[2].body, "Subject: lf\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n");
}

TEST(Dsn, BoundaryCollisionIsAvoided) {
  auto rq = base_request();
  rq.inline_original = InlineOriginal::kAll;
  std::string original = "Subject: tricky\r\n\r\n--" + rq.boundary_seed + "\r\nfake part\r\n--" + rq.boundary_seed +
                         ".1--\r\n";
  rq.original = original;
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->boundary, rq.boundary_seed + ".2");
  auto p = parse_message(dsn->bytes);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[2].body, original);
}

TEST(Dsn, MultilineAndLongDiagnosticsAreFoldedButIntact) {
  auto rq = base_request();
  std::string line1 = "550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail.";
  std::string line2 = "550 5.7.1 To reduce the amount of spam sent to Gmail, this message has been blocked.";
  rq.recipients[0].diagnostic = line1 + "\r\n" + line2 + "\r\n";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  expect_wire_safe(dsn->bytes);
  auto p = parse_message(dsn->bytes);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(get(groups[1], "Diagnostic-Code"), "smtp; " + line1 + " " + line2);
  EXPECT_EQ(get(groups[1], "Status"), "5.7.1");
  // The folded field's physical lines stay short.
  std::string_view body = p.parts[1].body;
  for (std::size_t pos = 0, eol; (eol = body.find("\r\n", pos)) != std::string::npos; pos = eol + 2)
    EXPECT_LE(eol - pos, 78u);
}

TEST(Dsn, NonAsciiInRemoteTextIsReplaced) {
  auto rq = base_request();
  rq.recipients[0].diagnostic = "550 5.1.1 Utilisateur inconnu \xc3\xa9\x01";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  expect_wire_safe(dsn->bytes);
  auto groups = parse_groups(parse_message(dsn->bytes).parts[1].body);
  EXPECT_EQ(get(groups[1], "Diagnostic-Code"), "smtp; 550 5.1.1 Utilisateur inconnu ???");
}

TEST(Dsn, EnvelopeIdComesFirst) {
  auto rq = base_request();
  rq.envelope_id = "QQ314159";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto groups = parse_groups(parse_message(dsn->bytes).parts[1].body);
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups[0][0].name, "Original-Envelope-Id");
  EXPECT_EQ(groups[0][0].value, "QQ314159");
  EXPECT_EQ(groups[0][1].name, "Reporting-MTA");
}

TEST(Dsn, OptionalFieldsAbsentWhenUnknown) {
  auto rq = base_request();
  rq.arrival_date.reset();
  rq.original_id.clear();
  rq.original = {};
  rq.recipients[0].last_attempt.reset();
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  EXPECT_EQ(p.parts.size(), 2u) << "no original to attach";
  EXPECT_EQ(count(p.headers, "In-Reply-To"), 0);
  auto groups = parse_groups(p.parts[1].body);
  ASSERT_EQ(groups[0].size(), 1u);
  EXPECT_EQ(groups[0][0].name, "Reporting-MTA");
  EXPECT_EQ(count(groups[1], "Last-Attempt-Date"), 0);
}

TEST(Dsn, SubjectOverrideAndOriginalWithoutMessageId) {
  auto rq = base_request();
  rq.subject = "Undeliverable: quarterly numbers";
  rq.original = "Subject: x\r\n\r\nbody\r\n";
  auto dsn = build_dsn(rq);
  ASSERT_TRUE(dsn);
  auto p = parse_message(dsn->bytes);
  EXPECT_EQ(get(p.headers, "Subject"), "Undeliverable: quarterly numbers");
  EXPECT_EQ(count(p.headers, "In-Reply-To"), 0);
}

TEST(Dsn, InvalidRequestsAreErrors) {
  auto rq = base_request();
  rq.recipients.clear();
  EXPECT_FALSE(build_dsn(rq));
  rq = base_request();
  rq.reporting_mta = "";
  EXPECT_FALSE(build_dsn(rq));
  rq = base_request();
  rq.boundary_seed = "";
  EXPECT_FALSE(build_dsn(rq));
  rq.boundary_seed = "has space";
  EXPECT_FALSE(build_dsn(rq));
  rq.boundary_seed = "quote\"";
  EXPECT_FALSE(build_dsn(rq));
  rq.boundary_seed = std::string(61, 'a');
  EXPECT_FALSE(build_dsn(rq));
}

TEST(Dsn, ParseInlineOriginal) {
  EXPECT_EQ(parse_inline_original("none"), InlineOriginal::kNone);
  EXPECT_EQ(parse_inline_original("Headers"), InlineOriginal::kHeaders);
  EXPECT_EQ(parse_inline_original("ALL"), InlineOriginal::kAll);
  EXPECT_FALSE(parse_inline_original("full"));
}
