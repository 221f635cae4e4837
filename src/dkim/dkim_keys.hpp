// Loads a DKIM private key file (SPEC §19: PEM, RSA in PKCS#1 or PKCS#8,
// Ed25519 in PKCS#8) and checks it with OpenSSL: it parses without a
// passphrase and is of the kind its digest needs (RSA keys of at least
// 1024 bits). The PEM text is what libopendkim takes per signature.
// Leaves the --check wording to config/dkim_checks.cpp (which runs first,
// without OpenSSL) and signing to dkim_signer.hpp.
// Threading: any thread; reads the file (once per configuration load).
// Failure modes: unreadable file, not a key, wrong kind: an error text
// naming the file.
#pragma once

#include <string>

#include "base/expected.hpp"
#include "dkim/dkim_settings.hpp"

namespace impulse::dkim {

impulse::expected<std::string, std::string> load_dkim_key(const std::string& path, Digest digest);

}  // namespace impulse::dkim
