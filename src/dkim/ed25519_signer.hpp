// Ed25519-SHA256 DKIM signatures (RFC 8463) made with OpenSSL instead of
// libopendkim. Debian's libopendkim 2.11 frees a signing key's OpenSSL
// objects in dkim_free() only for RSA keys, so every Ed25519 signature it
// made leaked the key's BIO and EVP_PKEY (LeakSanitizer, valgrind: about
// 550 bytes a message), and it signed Ed25519 with simple header
// canonicalization so that no verifier accepted it. Here the key is parsed
// once per configuration and each message costs one SHA-256 of its body,
// one of its signed header fields, and one Ed25519 signature.
// The field: v=1, a=ed25519-sha256, c=, d=, s=, t= (now), bh=, h= (every
// field of the domain's header list the message has, top to bottom, then
// "from" once more: From is over-signed, SPEC §19), b=; folded with CRLF TAB
// to 78 columns, the b= value last so that a verifier's removal of it
// leaves exactly the text that was hashed (simple header canonicalization).
// Leaves canonicalization to protocol/dkim_canon.hpp, which domain signs to
// dkim_signing.hpp.
// Threading: any thread at once (the key is only read).
// Failure modes: OpenSSL refusing to sign: an error text (the message goes
// unsigned).
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "dkim/dkim_settings.hpp"

namespace impulse::dkim {

// The DKIM-Signature header field, CRLF-terminated, for `message` (CRLF
// lines, header section first) signed as `domain` with `key` at `now`
// (seconds since the epoch: the t= tag).
impulse::expected<std::string, std::string> sign_ed25519(const DomainSettings& domain, EVP_PKEY* key,
                                                         std::string_view message, std::int64_t now);

}  // namespace impulse::dkim
