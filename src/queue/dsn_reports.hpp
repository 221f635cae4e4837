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
// name; default 3600 s), at the first transient failure after that.
// One warning per message: MessageHead's delay_warned is set by exchange
// when it is sent; a message queued again at start-up that was already past
// its threshold starts with delay_warned set (it may have been warned before
// the restart: may_have_been_warned), so it is never warned twice; one that
// crossed its threshold while the daemon was down gets no warning.
// Reports are never sent for a null sender (the outcome handler checks).
//
// Leaves to others: building and sending the report (outcome_handler.cpp
// over bounce_maker.hpp and protocol/dsn.hpp). Pure; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include <vector>

#include "base/clock.hpp"
#include "config/config.hpp"
#include "protocol/dsn.hpp"
#include "queue/outcome.hpp"
#include "queue/retry_policy.hpp"
#include "routing/router.hpp"

namespace impulse::queue {

// The Action of a success report for a delivered recipient, or nullopt.
std::optional<protocol::DsnAction> success_action(std::uint8_t notify, DsnHandoff handoff);

// A deferred recipient wants a delay warning (NOTIFY bits; 0 = not given).
bool wants_delay_warning(std::uint8_t notify, bool generate_delay_dsn);

// The transient failure at `now` is late enough for the delay warning:
// now >= received + after, with after > 0.
bool delay_warning_due(std::chrono::seconds after, WallTime received, WallTime now);

// A message (re)queued at `now` may already have had its warning: some
// queue it goes to had passed its delay_dsn_retry_interval, which
// delay_dsn_after(group) gives (the queue's QueueOptions::delay_dsn_after).
// Asks for it only for messages received more than a second ago (recovery),
// so reception pays nothing.
bool may_have_been_warned(const std::function<std::chrono::seconds(const routing::QueueGroup&)>& delay_dsn_after,
                          const std::vector<routing::QueueGroup>& groups, WallTime received, WallTime now);

// Will-Retry-Until of a delay warning: received + message_expiration, or
// nullopt when expiry is off.
std::optional<WallTime> retry_until(const RetryOptions& retry, WallTime received);

}  // namespace impulse::queue
