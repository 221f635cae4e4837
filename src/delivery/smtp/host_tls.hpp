// The TLS a connection to one MX host must use: the one "requirement for
// this host" hook where DANE (RFC 7672) and MTA-STS (RFC 8461) meet the
// configured tls / tls_verify (SPEC §19; reference/protocols.md §7 "DANE
// precedence").
//
//   DANE deferred (bogus / failed lookup)  refused, with DANE's reason
//   DANE applies (secure TLSA RRset)       tls required; verified by the
//                                          records (tls_verify off: OpenSSL's
//                                          DANE check replaces it), or, with no
//                                          usable record, unauthenticated;
//                                          MTA-STS is not consulted (DANE wins)
//   otherwise                              the MTA-STS requirement when one is
//                                          given (mta_sts_tls.hpp
//                                          apply_mta_sts: stricter of policy
//                                          and configuration, or refused),
//                                          else the configured tls/tls_verify
//
// Coordination note (issue 20): the SMTP transport calls this once per
// connection with both inputs; MTA-STS passes its TlsRequirement here
// rather than changing the settings elsewhere, so the precedence lives in
// one place.
//
// Pure: no I/O, any thread. Leaves to others: the lookups (dane_lookup,
// mta_sts_*), the handshake and its checks (smtp_connection, dane_tls,
// tls_client), the outcome of a refusal (session_outcome). Cannot fail.
#pragma once

#include <memory>
#include <string>

#include "delivery/smtp/dane_policy.hpp"
#include "delivery/smtp/mta_sts_tls.hpp"
#include "delivery/smtp/smtp_settings.hpp"

namespace impulse::delivery::smtp {

struct HostTls {
  TlsMode tls = TlsMode::kNo;
  TlsVerify verify = TlsVerify::kNo;
  // Set when DANE applies: the handshake is checked against dane->records.
  std::shared_ptr<const DaneVerdict> dane;
  bool refused = false;  // do not connect: `reason` (a transient failure of the host)
  std::string reason;
};

// `dane` null: DANE off for this queue. `mta_sts` null: MTA-STS off or no policy.
HostTls host_tls(TlsMode configured_tls, TlsVerify configured_verify, std::shared_ptr<const DaneVerdict> dane,
                 const TlsRequirement* mta_sts);

}  // namespace impulse::delivery::smtp
