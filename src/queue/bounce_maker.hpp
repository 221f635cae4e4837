// Bounce maker: the RFC 3464 bounce for recipients of one message that
// failed permanently in one attempt (SPEC §5; reference/momentum.md §7.3),
// as a new message ready for the spool: null envelope sender, one recipient
// (the original envelope sender), protocol "internal", body built by
// protocol/dsn.hpp (From: the mailerdaemon, the original inlined per
// bounces_inline_original, the original's id in X-Impulse-Message-Id).
//
// Leaves to others: whether to bounce at all (the outcome handler checks
// the null sender and generate_bounces), committing and queueing the bounce
// (Scheduler::submit_generated), the binding of the bounce (routing::Router).
// Threading: pure apart from reading nothing; any thread.
// DSN: ENVID and each ORCPT appear in the report, RET=HDRS inlines headers
// only (over bounces_inline_original), an SMTPUTF8 original gets RFC 6533's
// message/global-delivery-status. The same maker builds delay warnings and
// success reports (a recipient's action); those carry at most the
// original's headers, whatever RET and bounces_inline_original say (RFC 3461
// §4.3 asks for the content only in failure reports).
// Failure modes: the DSN builder's Error (e.g. no recipients) is returned.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "protocol/dsn.hpp"
#include "queue/outcome.hpp"
#include "queue/queued_message.hpp"
#include "routing/router.hpp"

namespace impulse::queue {

// A recipient a report is about: failed (a bounce), or, for the other DSN
// reports (queue/dsn_reports.hpp), delayed, delivered or relayed.
struct FailedRecipient {
  std::string_view address;
  const Outcome* outcome = nullptr;  // reply, remote host/ip
  std::uint32_t index = 0;           // in spool::Message::recipients (DSN NOTIFY/ORCPT)
  protocol::DsnAction action = protocol::DsnAction::kFailed;
  std::optional<WallTime> will_retry_until = std::nullopt;  // kDelayed only
};

// DSN (RFC 3461 §4.1, SPEC §19): the failed recipients a failure notice is
// for: those without NOTIFY, or whose NOTIFY includes FAILURE.
std::vector<FailedRecipient> recipients_to_notify(const MessageHead& original,
                                                  std::span<const FailedRecipient> failed);

struct BounceRequest {
  const MessageHead* original = nullptr;
  std::span<const FailedRecipient> recipients;
  spool::Body original_body;  // null: nothing inlined (read failed)
  protocol::InlineOriginal inline_original = protocol::InlineOriginal::kHeaders;
  std::string from;        // mailerdaemon
  std::string hostname;    // Reporting-MTA, Message-ID domain
  spool::MessageId bounce_id;
  WallTime now{};
};

struct Bounce {
  spool::Message message;  // recipients split and bound by the router
  spool::Body body;
};

Result<Bounce> make_bounce(const BounceRequest& request, const routing::Router& router);

}  // namespace impulse::queue
