// What the SMTP/LMTP client's accepted recipient means for DSN (RFC 3461
// §6.2.2; SPEC §19; reference/protocols.md §1.11, §2): a next hop that
// listed DSN got NOTIFY/ORCPT/RET/ENVID and owns the reports (kPassedOn);
// an SMTP next hop without DSN means "relayed" (§6.2.2.1: relayed to a
// non-DSN-aware MTA); an LMTP server without DSN did the final delivery
// ("delivered"). The queue turns kFinal/kRelayed into a success report when
// the recipient asked NOTIFY=SUCCESS (queue/outcome_handler.cpp).
//
// Leaves to others: sending the parameters (smtp_delivery.cpp,
// command_format.hpp), building and sending the report (queue/, protocol/dsn).
// Pure; any thread; no failure modes.
#pragma once

#include "queue/outcome.hpp"

namespace impulse::delivery::smtp {

// lmtp: the session speaks LMTP; dsn_listed: the server listed DSN in its
// EHLO/LHLO reply (and extensions were accepted).
queue::DsnHandoff dsn_handoff(bool lmtp, bool dsn_listed);

}  // namespace impulse::delivery::smtp
