// DSN reports besides failure notices (RFC 3461 §4.1, §6.2; SPEC §19;
// reference/protocols.md §1.11): who gets a success report ("delivered" or
// "relayed"), who gets a delay warning, and at which transient failure the
// warning goes out. The failure-notice rule (NOTIFY absent or with FAILURE)
// is recipients_to_notify in queue/bounce_maker.hpp.
//
// Success: a delivered recipient whose NOTIFY includes SUCCESS, when the
// transport says the next hop will not report (Outcome::dsn_handoff kFinal:
// "delivered", kRelayed: "relayed"); a hop that listed DSN got the
// parameters and reports itself (kPassedOn), and transports that say
// nothing (kNone) get no report.
// Delay: a deferred recipient whose NOTIFY includes DELAY, or who gave no
// NOTIFY when generate_delay_dsn is true (RFC 3461 §4.1 leaves DELAY for an
// absent NOTIFY to the MTA; Momentum's generate_delay_dsn defaults to false),
// once the message has been queued delay_dsn_retry_interval (Momentum's
// name; default 3600 s). One warning per message: the transient failure
// that first finds it queued that long sends it, and MessageHead's
// delay_warned stops a second one while the daemon runs; after a restart,
// delay_warning_due() still only fires at the failure whose previous attempt
// came before the threshold, so a warned message is not warned again (a
// retry held back much longer than its interval may then go unwarned).
// Reports are never sent for a null sender (the outcome handler checks).
//
// Leaves to others: building and sending the report (outcome_handler.cpp
// over bounce_maker.hpp and protocol/dsn.hpp). Pure; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "base/clock.hpp"
#include "protocol/dsn.hpp"
#include "queue/outcome.hpp"
#include "queue/retry_policy.hpp"

namespace impulse::queue {

// The Action of a success report for a delivered recipient, or nullopt.
std::optional<protocol::DsnAction> success_action(std::uint8_t notify, DsnHandoff handoff);

// A deferred recipient wants a delay warning (NOTIFY bits; 0 = not given).
bool wants_delay_warning(std::uint8_t notify, bool generate_delay_dsn);

// The transient failure at `now`, of the attempt made after retries_done
// retries, is the one that carries the delay warning: now >= received +
// after (after > 0), and the previous failure, at least
// retry_delay(retry, retries_done) before now, came before received + after
// (always true for the first attempt).
bool delay_warning_due(const RetryOptions& retry, std::chrono::seconds after, std::int64_t retries_done,
                       WallTime received, WallTime now);

// Will-Retry-Until of a delay warning: received + message_expiration, or
// nullopt when expiry is off.
std::optional<WallTime> retry_until(const RetryOptions& retry, WallTime received);

}  // namespace impulse::queue
