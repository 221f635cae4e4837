// DkimSigner: signs messages for the dkim_domain stanzas of one
// configuration snapshot (SPEC §19): rsa-sha256 with libopendkim (Debian's
// libopendkim 2.11, RFC 6376), ed25519-sha256 (RFC 8463) with OpenSSL in
// dkim/ed25519_signer.hpp (libopendkim leaked the key objects of every
// Ed25519 signature). Keys are loaded and checked once at construction; one
// DKIM_LIB per signer (From over-signed), one DKIM handle per RSA-signed
// message fed the whole message (dkim_chunk).
// Leaves which mail is signed to DkimSigning (dkim_signing.hpp), the From:
// domain to protocol/dkim_from.hpp, the header field's layout to
// protocol/dkim_field.hpp.
// Threading: immutable after create(); sign() from any thread at once
// (libopendkim's library handle is thread-safe for signing; an Ed25519 key
// is only read).
// Failure modes: create() fails on a key that will not load; sign() returns
// libopendkim's or OpenSSL's error text (the caller sends the message
// unsigned).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "dkim/dkim_keys.hpp"
#include "dkim/dkim_settings.hpp"

namespace impulse::dkim {

class DkimSigner {
 public:
  static impulse::expected<std::unique_ptr<DkimSigner>, std::string> create(DkimSettings settings);
  ~DkimSigner();
  DkimSigner(const DkimSigner&) = delete;
  DkimSigner& operator=(const DkimSigner&) = delete;

  const DkimSettings& settings() const { return settings_; }
  // The DKIM-Signature header field (CRLF-terminated) for `message` signed
  // as `domain` (one of settings().domains). `id` names the job in
  // libopendkim's handle.
  impulse::expected<std::string, std::string> sign(const DomainSettings& domain, std::string_view id,
                                                   std::string_view message) const;

 private:
  struct Lib;
  explicit DkimSigner(DkimSettings settings);

  DkimSettings settings_;
  std::vector<DkimKey> keys_;                            // per settings_.domains entry
  std::vector<std::vector<const char*>> header_lists_;  // NULL-terminated, per domain
  std::unique_ptr<Lib> lib_;
};

}  // namespace impulse::dkim
