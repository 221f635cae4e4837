// What an MTA-STS policy (RFC 8461 §5) makes of the configured outbound TLS
// for one MX host (SPEC §19; reference/momentum.md §3 use_mta_sts):
// `enforce` = tls required + tls_verify host, and an MX outside the
// policy's patterns is refused; `testing` = at least tls ifavailable +
// tls_verify optional (never refuses); `none` or no policy = the
// configuration. The stricter of policy and configuration wins.
//
// Pure: no I/O, any thread. Leaves to others: finding, fetching and caching
// the policy (mta_sts_*), turning a refusal into a transient outcome
// (session_outcome). Failures: a refusal is a value with its reason.
#pragma once

#include <string>
#include <string_view>

#include "delivery/smtp/smtp_settings.hpp"
#include "protocol/mta_sts_policy.hpp"

namespace impulse::delivery::smtp {

struct TlsRequirement {
  TlsMode tls = TlsMode::kNo;
  TlsVerify verify = TlsVerify::kNo;
  bool refused = false;  // enforce: the MX is not in the policy
  std::string reason;    // for the T record when refused
  bool operator==(const TlsRequirement&) const = default;
};

// Strictness order: no < ifavailable < required; no < optional < ca < host.
TlsMode stricter(TlsMode a, TlsMode b);
TlsVerify stricter(TlsVerify a, TlsVerify b);

// `policy` may be null (no policy, or none could be fetched and none cached).
TlsRequirement apply_mta_sts(const protocol::MtaStsPolicy* policy, TlsMode configured_tls,
                             TlsVerify configured_verify, std::string_view domain, std::string_view mx_host);

}  // namespace impulse::delivery::smtp
