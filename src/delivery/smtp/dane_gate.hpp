// Whether DANE may apply to one MX host at all, before its TLSA records are
// asked (RFC 7672 §2.2.1, §2.2.2; reference/protocols.md §7 "When DANE
// applies"), from what the validating resolver reported:
//
//   MX RRset of the domain   the host is one of its exchanges: the RRset must
//                            be DNSSEC-secure. The host is the domain itself
//                            and the domain has no MX (implicit MX): the
//                            denial must be secure. The host is none of
//                            them (a Routes/Gateway host the operator
//                            configured): the configuration is trusted and
//                            only the host's own records count.
//   host's address records   (A or AAAA, the family actually connected to)
//                            must be secure; a secure CNAME expansion makes
//                            the expanded name the first TLSA base domain
//                            and the original name the second (§2.2.2).
//
// Insecure (provably unsigned) at either step: DANE does not apply, the
// configured tls/tls_verify do. Bogus, SERVFAIL or a timeout at either
// step: the host is deferred (a downgrade cannot be ruled out). An IP
// literal host has no name to look TLSA records up under: no DANE.
//
// Pure: no I/O, any thread. Leaves to others: asking the questions
// (dane_lookup), what the TLSA answer means (dane_policy). Cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/resolver.hpp"

namespace impulse::delivery::smtp {

enum class DaneGateStep {
  kLookTlsa,    // ask TLSA under `tlsa_bases`, in order
  kNoDane,      // the configured tls / tls_verify (`reason` says why, for logs)
  kDefer,       // transient failure of the host: `reason`
};

struct DaneGate {
  DaneGateStep step = DaneGateStep::kNoDane;
  std::vector<std::string> tlsa_bases;  // kLookTlsa: the TLSA base domains, best first
  std::string reason;
  std::uint32_t ttl = 0;  // how long this judgement holds (min TTL of the answers)
};

// True for "192.0.2.1", "::1": hosts named by address.
bool ip_literal(const std::string& host);

// First step: the domain's MX answer. kLookTlsa here means "go on to the
// address records" (tlsa_bases empty).
DaneGate dane_mx_gate(const dns::Answer& mx, const std::string& domain, const std::string& host);

// Second step: the host's A/AAAA answer.
DaneGate dane_address_gate(const dns::Answer& address, const std::string& host);

}  // namespace impulse::delivery::smtp
