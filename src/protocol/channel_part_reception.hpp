// MCMT_Reception's mark (SPEC §11): how an SMTP delivery knows that an MCMT
// message was accepted under `allow`, so that its email recipients get only
// the message/rfc822 part, while under `passthru` the message is stored and
// delivered unchanged.
//
// The listener marks a message it accepted under `allow` with one header
// field at the top, `X-Impulse-MCMT-Reception: allow`, and removes that
// field from every message it receives otherwise, so a client cannot forge
// it. Messages injected over the HTTP API or ECSTREAM behave as `allow`
// without a mark (the caller says so: `always_allow`). Channel transports
// are unaffected: an MCMT channel part carries its own headers. The mark
// lives in the spooled data, so it survives restarts with no change to the
// spool record.
//
// Leaves to others: deciding the mode (the ESMTP session, from
// inbound::ListenerSettings), checking the structure (check_mcmt_structure),
// sending the body (the SMTP transport calls email_body_for).
// Threading: pure functions. Failure modes: none; a marked message whose
// rfc822 part cannot be read (it was checked at reception, so only a
// damaged spool) is delivered whole.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace impulse::protocol {

inline constexpr std::string_view kMcmtReceptionHeader = "X-Impulse-MCMT-Reception";

// `data` without any X-Impulse-MCMT-Reception field in its top-level header
// block, and with `X-Impulse-MCMT-Reception: allow` first when `allowed`.
// Returns nullopt when nothing changes (no mark to remove or add), so the
// common case copies nothing.
std::optional<std::string> mark_mcmt_reception(std::string_view data, bool allowed);

// Whether the top-level header block carries the mark.
bool has_mcmt_reception_mark(std::string_view data);

// What an email recipient receives: the message/rfc822 part of a marked
// (or `always_allow`) MCMT message; nullopt = the body unchanged.
std::optional<std::string> email_body_for(std::string_view body, bool always_allow);

}  // namespace impulse::protocol
