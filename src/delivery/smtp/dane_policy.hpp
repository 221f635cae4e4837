// What the TLSA answer for `_<port>._tcp.<mx host>` means for a delivery
// with DANE on (RFC 7672 §2.2, §3; SPEC §19; reference/momentum.md §3
// use_dane): a DNSSEC-secure RRset makes TLS mandatory and authenticated by
// those records (none usable: TLS mandatory, unauthenticated); an insecure
// answer or a secure denial falls back to the configured `tls`; a bogus
// answer, SERVFAIL or a timeout is a transient failure (the records may
// exist: delivering in the clear could be a downgrade).
//
// Pure: no I/O, any thread. Leaves to others: the lookup (dns/), the
// handshake (dane_tls), the outcome (session_outcome).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/resolver.hpp"

namespace impulse::delivery::smtp {

enum class DaneDecision {
  kConfigured,  // no DANE for this host: the configured tls / tls_verify
  kDane,        // tls required; authenticate with `records` (if any)
  kDefer,       // transient failure: `reason`
};

struct DaneVerdict {
  DaneDecision decision = DaneDecision::kConfigured;
  std::vector<dns::TlsaRecord> records;  // the usable ones (kDane)
  std::string reason;                    // kDefer; kConfigured: why no DANE (for logs)
  std::string tlsa_name;                 // the owner name asked ("_25._tcp.mx.example.com")
  // kDane: the reference identifiers for DANE-TA, TLSA base domain first
  // (also SNI), then the MX host and the next-hop domain (RFC 7672 §3.2.2).
  std::vector<std::string> names;
  std::uint32_t ttl = 0;  // how long the verdict holds (min TTL of the answers behind it)
};

// The TLSA owner name: "_25._tcp.mx.example.com".
std::string tlsa_name(unsigned port, const std::string& host);

DaneVerdict dane_verdict(const dns::Answer& tlsa_answer);

}  // namespace impulse::delivery::smtp
