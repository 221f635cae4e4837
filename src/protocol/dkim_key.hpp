// What kind of DKIM private key a PEM file holds (SPEC §19: RSA in PKCS#1
// or PKCS#8, Ed25519 in PKCS#8), read from the PEM armour and the DER
// AlgorithmIdentifier without a crypto library, so `--check` (config/)
// can say "this key does not fit digest X" before OpenSSL is involved.
// Leaves the real key parsing to OpenSSL in src/dkim/dkim_keys.cpp.
// Pure: no I/O, any thread; fuzzed (tests/fuzz/fuzz_protocol_dkim_inputs.cpp).
// Failure modes: no PEM private key, an encrypted key, bad base64, another
// algorithm (EC, DSA): an error text.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace impulse::protocol {

enum class DkimKeyKind { kRsa, kEd25519 };

impulse::expected<DkimKeyKind, std::string> dkim_pem_key_kind(std::string_view pem);

// "rsa-sha256" for kRsa, "ed25519-sha256" for kEd25519: the digest a key signs with.
std::string_view dkim_digest_for(DkimKeyKind kind);

}  // namespace impulse::protocol
