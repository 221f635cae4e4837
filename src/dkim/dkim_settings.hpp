// DkimSettings: the `opendkim` module stanza of one configuration snapshot
// as the signer uses it (SPEC §19): one entry per dkim_domain stanza, with
// the opendkim stanza's values filling what the dkim_domain does not set,
// the key path expanded (%{d}, %{s}), the header list normalised; and the
// `opendkim_sign` decision for a (binding, dkim_domain).
// Leaves key loading to dkim_keys.hpp and signing to dkim_signer.hpp.
// Threading: built once per snapshot on the thread that loads it, then
// only read (any thread).
// Failure modes: none at run time: the snapshot passed --check
// (config/dkim_checks.cpp); a value that still does not fit (a Config that
// is not a ConfigImpl, e.g. a test double) gives no domains.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "protocol/dkim_canon.hpp"

namespace impulse::dkim {

// The canonicalization names are protocol/dkim_canon.hpp's (one type for
// the settings and for the signer that canonicalizes).
using Canon = protocol::DkimCanon;
enum class Digest { kRsaSha256, kEd25519Sha256 };

struct DomainSettings {
  std::string domain;               // lower-case dkim_domain name: the d= tag
  std::string selector;             // s=
  std::string key_path;             // %{d}/%{s} expanded
  Digest digest = Digest::kRsaSha256;
  Canon header_canon = Canon::kRelaxed;
  Canon body_canon = Canon::kRelaxed;
  std::vector<std::string> headers;  // lower-case, "from" included (it is also over-signed)
  std::optional<bool> sign;          // opendkim_sign set in the dkim_domain stanza (wins)
};

struct DkimSettings {
  std::vector<DomainSettings> domains;  // file order
  // The dkim_domain for a From: domain: exact, then parent domains; nullptr if none.
  const DomainSettings* find(std::string_view from_domain) const;
};

// The first enabled opendkim stanza of `config` (none: no domains).
DkimSettings dkim_settings_from(const config::Config& config);

// Whether mail of `binding` is signed for `domain`: the dkim_domain's own
// opendkim_sign, else binding -> binding_group -> global (default false).
bool signing_enabled(const config::Config& config, std::string_view binding, const DomainSettings& domain);

}  // namespace impulse::dkim
