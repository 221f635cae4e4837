// DkimSigner: signs messages with libopendkim (Debian's libopendkim 2.11,
// which signs rsa-sha256 and ed25519-sha256, RFC 6376 and RFC 8463) for
// the dkim_domain stanzas of one configuration snapshot: keys loaded and
// checked once at construction, one DKIM_LIB per signer (From over-signed),
// one DKIM handle per message fed the whole message (dkim_chunk).
// Leaves which mail is signed to DkimSigning (dkim_signing.hpp), the From:
// domain to protocol/dkim_from.hpp, the header field's layout to
// protocol/dkim_field.hpp.
// Threading: immutable after create(); sign() from any thread at once
// (libopendkim's library handle is thread-safe for signing).
// Failure modes: create() fails on a key that will not load; sign() returns
// libopendkim's error text (the caller sends the message unsigned).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
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
  std::vector<std::string> keys_;                        // PEM per settings_.domains entry
  std::vector<std::vector<const char*>> header_lists_;  // NULL-terminated, per domain
  std::unique_ptr<Lib> lib_;
};

}  // namespace impulse::dkim
