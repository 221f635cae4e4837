// Loads a DKIM private key file (SPEC §19: PEM, RSA in PKCS#1 or PKCS#8,
// Ed25519 in PKCS#8) and checks it with OpenSSL: it parses without a
// passphrase and is of the kind its digest needs (RSA keys of at least
// 1024 bits). The PEM text is what libopendkim takes per RSA signature;
// the parsed key is what dkim/ed25519_signer.hpp signs with.
// Leaves the --check wording to config/dkim_checks.cpp (which runs first,
// without OpenSSL) and signing to dkim_signer.hpp.
// Threading: any thread; reads the file (once per configuration load).
// Failure modes: unreadable file, not a key, wrong kind: an error text
// naming the file.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>

#include "base/expected.hpp"
#include "dkim/dkim_settings.hpp"

namespace impulse::dkim {

struct DkimKey {
  std::string pem;
  std::shared_ptr<EVP_PKEY> key;  // shared read-only by every signing thread
};

impulse::expected<DkimKey, std::string> load_dkim_key(const std::string& path, Digest digest);

}  // namespace impulse::dkim
