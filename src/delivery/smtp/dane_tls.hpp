// DANE for the SMTP client's TLS (RFC 7672 §3, RFC 6698): hands a secure
// TLSA RRset to OpenSSL's DANE verifier (SSL_CTX_dane_enable,
// SSL_dane_enable, SSL_dane_tlsa_add) before the handshake, and says after
// it whether the peer's chain matched one of the records.
//
// Only DANE-TA(2) and DANE-EE(3) records with selector 0/1 and matching
// type 0/1/2 are usable (RFC 7672 §3.1.3); PKIX-TA/EE and unknown
// parameters are ignored. DANE-EE matching skips name checks
// (DANE_FLAG_NO_DANE_EE_NAMECHECKS, RFC 7672 §3.2.1); DANE-TA checks the
// names given (the MX host, and the TLSA base domain when it differs).
//
// Leaves to others: the TLSA lookup and its DNSSEC state (dns/), what a
// missing or failed match means for the delivery (smtp_connection,
// session_outcome). Called on the connection's executor; touches only the
// SSL objects given. Failures are values with OpenSSL's reason.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "dns/resolver.hpp"

namespace impulse::delivery::smtp {

// Once per client context (idempotent, cheap): sets up the digest table.
Result<void> enable_dane(SSL_CTX* ctx);

// True when (usage, selector, matching type) is one RFC 7672 lets us use.
bool usable_tlsa(const dns::TlsaRecord& record);

// Before the handshake. `names`: the reference identifiers (first one is
// also SNI's host). Returns how many records OpenSSL took; 0 means the
// RRset is unusable (RFC 7672 §2.2: TLS is still mandatory, unauthenticated).
Result<std::size_t> add_dane_records(SSL* ssl, const std::vector<std::string>& names,
                                     const std::vector<dns::TlsaRecord>& records);

// After the handshake: the chain matched a TLSA record (DANE-EE/DANE-TA).
bool dane_verified(SSL* ssl);

}  // namespace impulse::delivery::smtp
